// CORS on the strict test S3 with raw HTTP, as a browser sends it: the preflight (each check S3 makes,
// accepted and refused), the Access-Control-* headers on actual requests and their errors,
// PutBucketCors's validation, and the rules corsConfiguration() generates working as meant.
import { createHash } from 'node:crypto'
import { GetBucketCorsCommand, GetObjectCommand, PutBucketCorsCommand, PutObjectCommand, DeleteBucketCorsCommand, type CORSRule } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CORS_ALLOWED_HEADERS, corsConfiguration } from '../../../../src/index.js'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'
import { outcome, rawClient } from './bucket-helpers.js'

const APP = 'https://app.example.com'
const RULES: CORSRule[] = [
  { ID: 'app', AllowedOrigins: [APP, 'http://*.example.org'], AllowedMethods: ['PUT', 'POST', 'GET'], AllowedHeaders: ['content-type', 'x-amz-meta-*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 600 },
  { ID: 'public-read', AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
]
let s3: TestS3
beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['cors-bucket', 'plain-bucket', 'lib-bucket', 'valid-bucket', 'unexposed-bucket'] })
  await s3.client().send(new PutBucketCorsCommand({ Bucket: 'cors-bucket', CORSConfiguration: { CORSRules: RULES } }))
  await s3.client().send(new PutObjectCommand({ Bucket: 'cors-bucket', Key: 'file.txt', Body: 'hello' }))
})
afterAll(() => s3.close())

const preflight = (path: string, headers: Record<string, string>) => fetch(`${s3.endpoint}${path}`, { method: 'OPTIONS', headers })
const corsOf = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('access-control-') || k === 'vary'))
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method'
const APP_ANSWER = { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'PUT, POST, GET', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'ETag', 'access-control-max-age': '600', vary: VARY }
const ANY_ANSWER = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', vary: VARY }

describe('the preflight (OPTIONS, unsigned, on any path in the bucket)', () => {
  const m = (method: string, origin = APP, extra: Record<string, string> = {}) => ({ origin, 'access-control-request-method': method, ...extra })
  // [case, path, request headers, status, S3 error code ('' when accepted), Access-Control-* answered]
  const cases: [string, string, Record<string, string>, number, string, Record<string, string>][] = [
    ['no Origin', '/cors-bucket/k', { 'access-control-request-method': 'PUT' }, 400, 'BadRequest', {}],
    ['no Origin, missing bucket', '/nowhere-bucket/k', { 'access-control-request-method': 'PUT' }, 400, 'BadRequest', {}],
    ['missing bucket', '/nowhere-bucket/k', m('PUT'), 403, 'AccessForbidden', {}],
    ['a bucket without CORS', '/plain-bucket/k', m('PUT'), 403, 'AccessForbidden', {}],
    ['no Access-Control-Request-Method', '/cors-bucket/k', { origin: APP }, 400, 'BadRequest', {}],
    ['method PATCH', '/cors-bucket/k', m('PATCH'), 400, 'BadRequest', {}],
    ['the app, PUT', '/cors-bucket/k', m('PUT'), 200, '', APP_ANSWER],
    ['the app, PUT with allowed headers', '/cors-bucket/k', m('PUT', APP, { 'access-control-request-headers': 'content-type,x-amz-meta-filename' }), 200, '', { ...APP_ANSWER, 'access-control-allow-headers': 'content-type, x-amz-meta-filename' }],
    ['header names in any case, answered lower-case', '/cors-bucket/k', m('PUT', APP, { 'access-control-request-headers': 'Content-Type, X-Amz-Meta-Name' }), 200, '', { ...APP_ANSWER, 'access-control-allow-headers': 'content-type, x-amz-meta-name' }],
    ['the app, a header no rule allows', '/cors-bucket/k', m('PUT', APP, { 'access-control-request-headers': 'content-type,x-amz-acl' }), 403, 'AccessForbidden', {}],
    ['the app, DELETE', '/cors-bucket/k', m('DELETE'), 403, 'AccessForbidden', {}],
    ['a subdomain matched by http://*.example.org', '/cors-bucket/k', m('PUT', 'http://cdn.example.org'), 200, '', { ...APP_ANSWER, 'access-control-allow-origin': 'http://cdn.example.org' }],
    ['http://example.org is not *.example.org', '/cors-bucket/k', m('PUT', 'http://example.org'), 403, 'AccessForbidden', {}],
    ['https://cdn.example.org: another scheme', '/cors-bucket/k', m('PUT', 'https://cdn.example.org'), 403, 'AccessForbidden', {}],
    ['the app origin in upper case', '/cors-bucket/k', m('PUT', 'HTTPS://APP.EXAMPLE.COM'), 403, 'AccessForbidden', {}],
    ['a trailing slash', '/cors-bucket/k', m('PUT', `${APP}/`), 403, 'AccessForbidden', {}],
    ['https://probe.invalid, GET: the * rule', '/cors-bucket/k', m('GET', 'https://probe.invalid'), 200, '', ANY_ANSWER],
    ['https://probe.invalid, GET with a header: the * rule allows none', '/cors-bucket/k', m('GET', 'https://probe.invalid', { 'access-control-request-headers': 'range' }), 403, 'AccessForbidden', {}],
    ['https://probe.invalid, PUT', '/cors-bucket/k', m('PUT', 'https://probe.invalid'), 403, 'AccessForbidden', {}],
    ['on the bucket itself', '/cors-bucket', m('PUT', 'https://probe.invalid'), 403, 'AccessForbidden', {}],
    ['with a query string', '/cors-bucket/k?uploads', m('POST'), 200, '', APP_ANSWER],
  ]
  it.each(cases)('%s', async (_name, path, headers, status, code, answer) => {
    const res = await preflight(path, headers)
    const { body, ...got } = { status: res.status, cors: corsOf(res), body: await res.text() }
    expect(got).toEqual({ status, cors: answer })
    expect(/<Code>(\w+)<\/Code>/.exec(body)?.[1] ?? '').toBe(code)
  })

  it.each([
    ['missing bucket', '/nowhere-bucket/k', 'PUT', 'CORSResponse: Bucket not found', 'BUCKET'],
    ['no CORS', '/plain-bucket/k', 'PUT', 'CORSResponse: CORS is not enabled for this bucket.', 'BUCKET'],
    ['no rule, a key', '/cors-bucket/k', 'DELETE', 'CORSResponse: This CORS request is not allowed.', 'OBJECT'],
    ['no rule, the bucket', '/cors-bucket', 'DELETE', 'CORSResponse: This CORS request is not allowed.', 'BUCKET'],
  ])('the 403 of %s names the message, Method and ResourceType as S3 does', async (_name, path, method, message, type) => {
    const body = await (await preflight(path, { origin: APP, 'access-control-request-method': method })).text()
    expect(body).toContain(`<Message>${message.replace(/'/g, '&apos;')}`)
    expect(body).toContain(`<Method>${method}</Method><ResourceType>${type}</ResourceType>`)
  })

  it('the 400 for a missing Origin says why', async () => {
    const body = await (await preflight('/cors-bucket/k', { 'access-control-request-method': 'GET' })).text()
    expect(body).toContain('<Message>Insufficient information. Origin request header needed.</Message>')
  })
})

describe('Access-Control-* on actual requests (errors included)', () => {
  const get = async (headers: Record<string, string>, key = 'file.txt') => fetch(await getSignedUrl(s3.client(), new GetObjectCommand({ Bucket: 'cors-bucket', Key: key })), { headers })
  const cases: [string, () => Promise<Response>, number, Record<string, string>][] = [
    ['a GET from the app', () => get({ origin: APP }), 200, APP_ANSWER],
    ['a GET without Origin', () => get({}), 200, {}],
    ['a GET from any other origin: the * rule', () => get({ origin: 'https://probe.invalid' }), 200, ANY_ANSWER],
    ['a GET of a missing key from the app: 404, still answered', () => get({ origin: APP }, 'missing.txt'), 404, APP_ANSWER],
    ['an unsigned PUT from the app: 403, still answered', () => fetch(`${s3.endpoint}/cors-bucket/anon.txt`, { method: 'PUT', headers: { origin: APP }, body: 'x' }), 403, APP_ANSWER],
    ['a PUT from an origin no PUT rule allows', () => fetch(`${s3.endpoint}/cors-bucket/anon.txt`, { method: 'PUT', headers: { origin: 'https://probe.invalid' }, body: 'x' }), 403, {}],
    // As recorded against S3: on an actual request the Access-Control-Request-* headers, when sent, decide.
    ['a GET from the app naming DELETE in Access-Control-Request-Method', () => get({ origin: APP, 'access-control-request-method': 'DELETE' }), 200, {}],
    ['a GET from the app naming a disallowed Access-Control-Request-Headers', () => get({ origin: APP, 'access-control-request-headers': 'x-evil' }), 200, {}],
    ['a request outside any bucket', () => fetch(`${s3.endpoint}/`, { headers: { origin: APP } }), 403, {}],
  ]
  it.each(cases)('%s', async (_name, call, status, answer) => {
    const res = await call()
    await res.arrayBuffer()
    expect({ status: res.status, cors: corsOf(res) }).toEqual({ status, cors: answer })
  })
})

describe('PutBucketCors: what S3 refuses', () => {
  const Bucket = 'valid-bucket'
  const rule = (inner: string) => `<CORSConfiguration><CORSRule>${inner}</CORSRule></CORSConfiguration>`
  const ok = '<AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>'
  const put = (xml: string) => outcome(rawClient(s3, xml).send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [] } })))
  const cases: [string, string, [number, string]][] = [
    ['one GET rule for *', rule(ok), [200, 'ok']],
    ['an empty AllowedOrigin (accepted, as S3 does)', rule('<AllowedMethod>GET</AllowedMethod><AllowedOrigin></AllowedOrigin>'), [200, 'ok']],
    ['100 rules', `<CORSConfiguration>${`<CORSRule>${ok}</CORSRule>`.repeat(100)}</CORSConfiguration>`, [200, 'ok']],
    ['101 rules', `<CORSConfiguration>${`<CORSRule>${ok}</CORSRule>`.repeat(101)}</CORSConfiguration>`, [400, 'MalformedXML']],
    ['no rule', '<CORSConfiguration></CORSConfiguration>', [400, 'MalformedXML']],
    ['no AllowedOrigin', rule('<AllowedMethod>GET</AllowedMethod>'), [400, 'MalformedXML']],
    ['no AllowedMethod', rule('<AllowedOrigin>*</AllowedOrigin>'), [400, 'MalformedXML']],
    ['method MYMETHOD', rule('<AllowedMethod>MYMETHOD</AllowedMethod><AllowedOrigin>*</AllowedOrigin>'), [400, 'InvalidRequest']],
    ['method OPTIONS', rule('<AllowedMethod>OPTIONS</AllowedMethod><AllowedOrigin>*</AllowedOrigin>'), [400, 'InvalidRequest']],
    ['method get, lower-case', rule('<AllowedMethod>get</AllowedMethod><AllowedOrigin>*</AllowedOrigin>'), [400, 'InvalidRequest']],
    ['an empty AllowedMethod', rule('<AllowedMethod></AllowedMethod><AllowedOrigin>*</AllowedOrigin>'), [400, 'InvalidRequest']],
    ['two * in an origin', rule('<AllowedMethod>GET</AllowedMethod><AllowedOrigin>https://*.*.example.com</AllowedOrigin>'), [400, 'InvalidRequest']],
    ['two * in an AllowedHeader', rule(`${ok}<AllowedHeader>x-*-*</AllowedHeader>`), [400, 'InvalidRequest']],
    ['* in an ExposeHeader', rule(`${ok}<ExposeHeader>*</ExposeHeader>`), [400, 'InvalidRequest']],
    ['MaxAgeSeconds -1', rule(`${ok}<MaxAgeSeconds>-1</MaxAgeSeconds>`), [400, 'MalformedXML']],
    ['MaxAgeSeconds abc', rule(`${ok}<MaxAgeSeconds>abc</MaxAgeSeconds>`), [400, 'MalformedXML']],
    ['two MaxAgeSeconds', rule(`${ok}<MaxAgeSeconds>1</MaxAgeSeconds><MaxAgeSeconds>2</MaxAgeSeconds>`), [400, 'MalformedXML']],
    ['an ID of 256 characters', rule(`${ok}<ID>${'i'.repeat(256)}</ID>`), [400, 'InvalidArgument']],
    ['an unknown element', rule(`${ok}<AllowedColor>red</AllowedColor>`), [400, 'MalformedXML']],
    ['another root element', `<CORSRules><CORSRule>${ok}</CORSRule></CORSRules>`, [400, 'MalformedXML']],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "GET">]>${rule('<AllowedMethod>&e;</AllowedMethod><AllowedOrigin>*</AllowedOrigin>')}`, [400, 'MalformedXML']],
  ]
  it.each(cases)('%s → %j', async (_name, xml, expected) => expect(await put(xml)).toEqual(expected))

  it('GetBucketCors gives the rules back in order, cases kept, only the members set; DeleteBucketCors is 204 with or without', async () => {
    const c = s3.client()
    const rules: CORSRule[] = [
      { AllowedHeaders: ['X-Amz-Meta-Name'], AllowedMethods: ['HEAD', 'GET'], AllowedOrigins: ['http://test.com:80', 'https://b.example'] },
      { ID: 'second', AllowedMethods: ['POST'], AllowedOrigins: ['https://a.example'], ExposeHeaders: ['x-amz-request-id'], MaxAgeSeconds: 0 },
    ]
    await c.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: rules } }))
    expect((await c.send(new GetBucketCorsCommand({ Bucket }))).CORSRules).toEqual(rules)
    expect(await outcome(c.send(new DeleteBucketCorsCommand({ Bucket })))).toEqual([204, 'ok'])
    expect(await outcome(c.send(new DeleteBucketCorsCommand({ Bucket })))).toEqual([204, 'ok'])
    expect(await outcome(c.send(new GetBucketCorsCommand({ Bucket })))).toEqual([404, 'NoSuchCORSConfiguration'])
  })
})

describe("corsConfiguration()'s rules on the test S3", () => {
  const Bucket = 'lib-bucket'
  beforeAll(() => s3.client().send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: corsConfiguration({ origins: [APP, 'http://localhost:3000'] }) })))
  const cases: [string, Record<string, string>, number][] = [
    ['your origin, PUT with every header a grant can ask for', { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': CORS_ALLOWED_HEADERS.join(',') }, 200],
    ['localhost, POST', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' }, 200],
    ['https://probe.invalid, PUT', { origin: 'https://probe.invalid', 'access-control-request-method': 'PUT' }, 403],
    ['your origin, a header no grant sends', { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type,authorization' }, 403],
    ['your origin, DELETE', { origin: APP, 'access-control-request-method': 'DELETE' }, 403],
  ]
  it.each(cases)('%s → %d', async (_name, headers, status) => {
    const res = await preflight(`/${Bucket}/uploads/u1`, headers)
    expect(res.status).toBe(status)
    expect(res.headers.get('access-control-allow-origin')).toBe(status === 200 ? headers.origin : null)
  })

  it("a browser's presigned PUT can read the ETag (multipart needs it); without ExposeHeaders it could not", async () => {
    const put = async (bucket: string) => {
      const url = await getSignedUrl(s3.client(), new PutObjectCommand({ Bucket: bucket, Key: 'uploads/part', ContentType: 'text/plain' }), { expiresIn: 60 })
      return fetch(url, { method: 'PUT', headers: { origin: APP, 'content-type': 'text/plain' }, body: 'part' })
    }
    const exposed = await put(Bucket)
    expect([exposed.status, exposed.headers.get('etag'), exposed.headers.get('access-control-expose-headers')]).toEqual([200, `"${createHash('md5').update('part').digest('hex')}"`, 'ETag'])
    await s3.client().send(new PutBucketCorsCommand({ Bucket: 'unexposed-bucket', CORSConfiguration: { CORSRules: [{ AllowedOrigins: [APP], AllowedMethods: ['PUT'] }] } }))
    const hidden = await put('unexposed-bucket')
    expect([hidden.status, hidden.headers.get('access-control-allow-origin'), hidden.headers.get('access-control-expose-headers')]).toEqual([200, APP, null])
  })
})
