// corsConfiguration(): exact origins only, exactly the headers grants make clients send, and every
// widening input refused with INVALID_CONFIG. What S3 does with the result: hardening-cors.test.ts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CORS_ALLOWED_HEADERS, corsConfiguration, createSafeUpload, memoryStore } from '../../../src/index.js'
import { s3Client } from '../core/fixtures.js'
import { thrown } from '../core/fixtures.js'

describe('corsConfiguration', () => {
  it('defaults: one rule, the exact origins, PUT/POST/GET, the grant headers, ETag exposed, 600 s', () => {
    expect(corsConfiguration({ origins: ['https://app.example.com', 'http://localhost:3000'] })).toEqual({
      CORSRules: [
        {
          ID: 'safe-presign',
          AllowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
          AllowedMethods: ['PUT', 'POST', 'GET'],
          AllowedHeaders: ['content-type', 'content-md5', 'x-amz-checksum-sha256', 'if-none-match', 'x-amz-meta-filename', 'x-amz-acl'],
          ExposeHeaders: ['ETag'],
          MaxAgeSeconds: 600,
        },
      ],
    })
  })

  it('takes methods, maxAgeSeconds and id; drops duplicate origins', () => {
    const rule = corsConfiguration({ origins: ['https://a.example', 'https://a.example', 'http://127.0.0.1:5173', 'http://[::1]:8080'], methods: ['GET', 'HEAD'], maxAgeSeconds: 86400, id: 'web' }).CORSRules![0]
    expect(rule).toMatchObject({ ID: 'web', AllowedOrigins: ['https://a.example', 'http://127.0.0.1:5173', 'http://[::1]:8080'], AllowedMethods: ['GET', 'HEAD'], MaxAgeSeconds: 86400 })
  })

  it('allows exactly the headers a grant lists, none with a wildcard', () => {
    expect(CORS_ALLOWED_HEADERS).toEqual(['content-type', 'content-md5', 'x-amz-checksum-sha256', 'if-none-match', 'x-amz-meta-filename', 'x-amz-acl'])
    for (const h of corsConfiguration({ origins: ['https://a.example'] }).CORSRules![0]!.AllowedHeaders!) expect(h).not.toContain('*')
  })

  it('covers every header a grant can tell a browser to send (but Content-Length, which browsers set)', async () => {
    const store = memoryStore()
    const sent = new Set<string>()
    for (const checksum of ['md5', 'sha256'] as const) {
      const up = createSafeUpload({ client: s3Client(), signer: s3Client({ region: 'eu-west-1' }), bucket: 'b-1', store, allowedContentTypes: ['image/png'], maxSize: 100, checksum })
      const digest = checksum === 'md5' ? Buffer.alloc(16).toString('base64') : Buffer.alloc(32).toString('base64')
      const grant = await up.presign({ owner: 'alice', filename: 'a.png', contentType: 'image/png', size: 10, checksum: digest })
      if (grant.method === 'PUT') for (const name of Object.keys(grant.headers)) sent.add(name)
    }
    sent.delete('content-length')
    expect([...sent].sort()).toEqual([...CORS_ALLOWED_HEADERS].sort())
  })

  const refused: { name: string; options: Record<string, unknown>; option: string; says: string[]; limit?: number }[] = [
    { name: 'origin *', options: { origins: ['*'] }, option: 'origins', says: ['"*"', 'wildcards'] },
    { name: 'wildcard subdomain', options: { origins: ['https://*.example.com'] }, option: 'origins', says: ['"https://*.example.com"', 'wildcards'] },
    { name: 'plain http origin', options: { origins: ['http://app.example.com'] }, option: 'origins', says: ['"http://app.example.com"', 'https'] },
    { name: 'http on a LAN address', options: { origins: ['http://192.168.1.10:3000'] }, option: 'origins', says: ['https', 'localhost'] },
    { name: 'a path', options: { origins: ['https://app.example.com/upload'] }, option: 'origins', says: ['"https://app.example.com/upload"', '"https://app.example.com"'] },
    { name: 'a trailing slash', options: { origins: ['https://app.example.com/'] }, option: 'origins', says: ['exactly the origin'] },
    { name: 'upper case host', options: { origins: ['https://App.example.com'] }, option: 'origins', says: ['"https://app.example.com"'] },
    { name: 'default port spelled out', options: { origins: ['https://app.example.com:443'] }, option: 'origins', says: ['"https://app.example.com"'] },
    { name: 'not a URL', options: { origins: ['app.example.com'] }, option: 'origins', says: ['"app.example.com"', 'origin'] },
    { name: 'null origin', options: { origins: ['null'] }, option: 'origins', says: ['"null"'] },
    { name: 'no origins', options: { origins: [] }, option: 'origins', says: ['non-empty'] },
    { name: 'origins a string', options: { origins: 'https://a.example' }, option: 'origins', says: ['non-empty array'] },
    { name: 'method DELETE', options: { origins: ['https://a.example'], methods: ['DELETE'] }, option: 'methods', says: ['"DELETE"', 'PUT, POST, GET, HEAD'] },
    { name: 'method put (lower case)', options: { origins: ['https://a.example'], methods: ['put'] }, option: 'methods', says: ['"put"'] },
    { name: 'no methods', options: { origins: ['https://a.example'], methods: [] }, option: 'methods', says: ['non-empty'] },
    { name: 'maxAgeSeconds 0', options: { origins: ['https://a.example'], maxAgeSeconds: 0 }, option: 'maxAgeSeconds', says: ['0', 'above 0'] },
    { name: 'maxAgeSeconds above a day', options: { origins: ['https://a.example'], maxAgeSeconds: 86401 }, option: 'maxAgeSeconds', says: ['86401', '86400 s'], limit: 86400 },
    { name: 'id empty', options: { origins: ['https://a.example'], id: '' }, option: 'id', says: ['`id`'] },
  ]

  it.each(refused)('refuses $name: INVALID_CONFIG naming the option, the value and the rule', ({ options, option, says, limit }) => {
    const error = thrown(() => corsConfiguration(options as never))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    for (const s of says) expect(error.message).toContain(s)
    if (limit !== undefined) expect(error.details?.limit).toBe(limit)
  })

  it('property: whatever it accepts is an exact https (or local http) origin, echoed unchanged', () => {
    // Whole URLs (refused unless they are just an origin) and bare origins (mostly accepted).
    const url = fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true })
    let accepted = 0
    fc.assert(
      fc.property(fc.oneof(url, url.map((u) => new URL(u).origin), fc.constantFrom('http://localhost:8080', 'http://127.0.0.1')), (candidate) => {
        let rule
        try {
          rule = corsConfiguration({ origins: [candidate] }).CORSRules![0]!
        } catch {
          return
        }
        accepted++
        const parsed = new URL(candidate)
        expect(parsed.origin).toBe(candidate)
        expect(candidate).not.toContain('*')
        expect(parsed.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)).toBe(true)
        expect(rule.AllowedOrigins).toEqual([candidate])
      }),
      { numRuns: 500 },
    )
    expect(accepted).toBeGreaterThan(50) // the property was not vacuous
  })
})
