// corsConfiguration() on each S3 peer (RGW and the test S3: peers.ts): PutBucketCors accepts it, and browser preflights (OPTIONS with Origin and
// Access-Control-Request-*) are answered as a browser needs: the allowed origin gets 200 with
// Access-Control-Allow-Origin, anything the rule does not list gets 403 and no CORS headers.
import { createHash } from 'node:crypto'
import { GetBucketCorsCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { corsConfiguration, createSafeUpload, memoryStore } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { httpRequest } from '../../helpers/rgw.js'
import { asPut, enforcementTable, minimalPng } from './support.js'

const APP = 'https://app.example.com'
const PNG = minimalPng(2)

describePeers('corsConfiguration', (peer) => {
  let client: S3Client
  let bucket: string
  const table = enforcementTable(`hardening-cors [${peer.name}]`)

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration({ origins: [APP, 'http://localhost:3000'] }) }))
  })
  afterAll(async () => {
    table.flush()
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  const preflight = (origin: string, method: string, headers?: string) =>
    httpRequest(`${peer.endpoint}/${bucket}/uploads/any.png`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
    })

  it('PutBucketCors accepts it; GetBucketCors returns the same rule', async () => {
    const got = await client.send(new GetBucketCorsCommand({ Bucket: bucket }))
    const want = corsConfiguration({ origins: [APP, 'http://localhost:3000'] }).CORSRules![0]!
    // RGW returns the lists in its own order.
    const sorted = (list: string[] | undefined) => [...(list ?? [])].sort()
    const rule = got.CORSRules?.[0]
    expect(rule?.ID).toBe(want.ID)
    expect(sorted(rule?.AllowedOrigins)).toEqual(sorted(want.AllowedOrigins))
    expect(sorted(rule?.AllowedMethods)).toEqual(sorted(want.AllowedMethods))
    expect(sorted(rule?.AllowedHeaders)).toEqual(sorted(want.AllowedHeaders))
    expect(rule?.ExposeHeaders).toEqual(['ETag'])
    expect(rule?.MaxAgeSeconds).toBe(600)
    table.note('PutBucketCors(corsConfiguration()) then GetBucketCors', 'accepted; same rule (lists reordered)')
  })

  it("an allowed origin's preflight for a real PUT grant's headers: 200 with Access-Control-Allow-Origin", async () => {
    // The headers a browser would list for this very grant (content-length is the browser's own).
    const up = createSafeUpload({ client, bucket, store: memoryStore(), allowedContentTypes: ['image/png'], maxSize: 1024, checksum: 'sha256' })
    const grant = asPut(await up.presign({ owner: 'alice', filename: 'a.png', contentType: 'image/png', size: PNG.length, checksum: createHash('sha256').update(PNG).digest('base64') }))
    const requested = Object.keys(grant.headers).filter((h) => h !== 'content-length').sort().join(',')
    expect(requested).toBe('content-type,if-none-match,x-amz-checksum-sha256,x-amz-meta-filename')
    const res = await preflight(APP, 'PUT', requested)
    table.http(`preflight, allowed origin, PUT, headers ${requested}`, res, [200, undefined])
    expect(res.headers['access-control-allow-origin']).toBe(APP)
    const methods = expectFor(peer, 'cors-allow-methods') === 'requested' ? 'PUT' : corsConfiguration({ origins: [APP] }).CORSRules![0]!.AllowedMethods!.join(', ')
    expect(res.headers['access-control-allow-methods']).toBe(methods)
    // An HTTP list: RGW joins it with ",", the test S3 with ", " (equivalent, RFC 9110 §5.6.1).
    expect(res.headers['access-control-allow-headers']?.split(',').map((h) => h.trim())).toEqual(requested.split(','))
    expect(res.headers['access-control-expose-headers']).toBe('ETag')
    expect(res.headers['access-control-max-age']).toBe('600')
  })

  it('http://localhost:3000 (development) may POST: 200', async () => {
    const res = await preflight('http://localhost:3000', 'POST')
    table.http('preflight, http://localhost:3000, POST', res, [200, undefined])
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000')
  })

  it('another origin, a method not allowed, a header not allowed: 403 (RGW AccessDenied, AWS AccessForbidden) and no CORS headers', async () => {
    const cases: [string, string, string, string | undefined][] = [
      ['preflight, other origin (https://evil.example.com), PUT', 'https://evil.example.com', 'PUT', 'content-type'],
      ['preflight, the allowed origin over http (http://app.example.com)', 'http://app.example.com', 'PUT', undefined],
      ['preflight, allowed origin, method DELETE', APP, 'DELETE', undefined],
      ['preflight, allowed origin, PUT with a header not listed (x-amz-grant-read)', APP, 'PUT', 'content-type,x-amz-grant-read'],
      ['preflight, allowed origin, PUT with Authorization', APP, 'PUT', 'authorization'],
    ]
    for (const [name, origin, method, headers] of cases) {
      const res = await preflight(origin, method, headers)
      table.http(name, res, expectFor(peer, 'cors-refused-code'))
      expect(res.headers['access-control-allow-origin'], name).toBeUndefined()
    }
  })
})
