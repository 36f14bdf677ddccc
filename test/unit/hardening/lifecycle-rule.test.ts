// quarantineLifecycleRule() and multipartLifecycleRule(): the exact rules, and every refusal naming its option.
// What RGW does with them: hardening-audit.test.ts, lifecycle.test.ts, multipart-peer.test.ts.
import { describe, expect, it } from 'vitest'
import { multipartLifecycleRule, quarantineLifecycleRule } from '../../../src/index.js'
import { thrown } from '../core/fixtures.js'

describe('lifecycle rules', () => {
  it('quarantine: expires and aborts under the prefix after the days (default 1)', () => {
    expect(quarantineLifecycleRule({ prefix: 'quarantine/' })).toEqual({
      ID: 'safe-presign-quarantine-expiry',
      Status: 'Enabled',
      Filter: { Prefix: 'quarantine/' },
      Expiration: { Days: 1 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    })
  })

  it("multipart: only aborts incomplete uploads (default 2 days), also on '' (it never expires an object)", () => {
    expect(multipartLifecycleRule({ prefix: '', days: 3, id: 'mp' })).toEqual({ ID: 'mp', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } })
    expect(multipartLifecycleRule({ prefix: 'uploads/' }).AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 2 })
  })

  it.each([
    { name: 'quarantine on the whole bucket', call: () => quarantineLifecycleRule({ prefix: '' }), option: 'prefix', says: 'whole bucket' },
    { name: 'a prefix without a slash', call: () => multipartLifecycleRule({ prefix: 'uploads' }), option: 'prefix', says: 'end with "/"' },
    { name: '0 days', call: () => multipartLifecycleRule({ prefix: 'uploads/', days: 0 }), option: 'days', says: 'at least 1' },
    { name: '1.5 days', call: () => quarantineLifecycleRule({ prefix: 'q/', days: 1.5 }), option: 'days', says: 'whole number' },
    { name: 'no options', call: () => multipartLifecycleRule(null as never), option: 'options', says: 'multipartLifecycleRule needs' },
  ])('$name → INVALID_CONFIG naming $option', ({ call, option, says }) => {
    const error = thrown(call)
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    expect(error.message).toContain(says)
  })
})
