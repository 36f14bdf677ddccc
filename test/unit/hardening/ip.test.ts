// aws:SourceIp values are checked without node:net (the core runs on Workers and Deno): the checker must
// accept and refuse exactly what net.isIP did, for any input, so no policy that built before fails now
// and no malformed address reaches a policy. The one difference, on purpose: an IPv6 zone ("%eth0").
import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ipFamily } from '../../../src/_internal/ip.js'
import { isCidr } from '../../../src/hardening/iam.js'

describe('ipFamily', () => {
  it.each([
    ['203.0.113.7', 4],
    ['0.0.0.0', 4],
    ['255.255.255.255', 4],
    ['256.1.1.1', 0],
    ['01.2.3.4', 0],
    ['1.2.3', 0],
    ['1.2.3.4.', 0],
    [' 1.2.3.4', 0],
    ['::', 6],
    ['::1', 6],
    ['1::', 6],
    ['2001:db8::', 6],
    ['2001:DB8:0:0:8:800:200C:417A', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:7::', 6],
    ['::2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:7:8:9', 0],
    ['1::2::3', 0],
    [':::', 0],
    [':1', 0],
    ['1:', 0],
    ['12345::', 0],
    ['::ffff:192.0.2.1', 6],
    ['1:2:3:4:5:6:1.2.3.4', 6],
    ['1:2:3:4:5:6:7:1.2.3.4', 0],
    ['1.2.3.4::', 0],
    ['::1.2.3.4:1', 0],
    ['::ffff:192.0.2.256', 0],
    ['example.com', 0],
    ['', 0],
  ] as const)('%j is family %i, as net.isIP says', (text, family) => {
    expect(ipFamily(text)).toBe(family)
    expect(isIP(text)).toBe(family)
  })

  it('refuses an IPv6 zone, which net.isIP accepts: IAM CIDR blocks have none', () => {
    expect(isIP('fe80::1%eth0')).toBe(6)
    expect(ipFamily('fe80::1%eth0')).toBe(0)
    expect(isCidr('fe80::1%eth0/64')).toBe(false)
  })

  it('agrees with net.isIP on any input without a zone', () => {
    const near = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg:.'), maxLength: 45 })
    fc.assert(
      fc.property(fc.oneof(near, fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), fc.string()), (text) => {
        fc.pre(!text.includes('%'))
        expect(ipFamily(text)).toBe(isIP(text))
      }),
      { numRuns: 20_000 },
    )
  })
})

describe('isCidr', () => {
  it.each([
    ['203.0.113.0/24', true],
    ['203.0.113.0/32', true],
    ['203.0.113.0/33', false],
    ['10.0.0.1', true],
    ['2001:db8::/32', true],
    ['2001:db8::/128', true],
    ['2001:db8::/129', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/8/8', false],
    ['10.0.0.0/-1', false],
    ['10.0.0.0/1234', false],
    ['/24', false],
    ['example.com/24', false],
  ])('%j → %s', (text, ok) => {
    expect(isCidr(text)).toBe(ok)
  })
})
