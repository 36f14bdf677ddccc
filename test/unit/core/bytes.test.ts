// The byte helpers that replaced Buffer in the core (so it runs on Workers, Deno and browsers) read and
// write exactly what Buffer did: stored checksums, ticket hashes and POST policies depend on it.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base64ByteLength, bytesEqual, concatBytes, fromBase64, fromHex, sha256Hex, toBase64, toBase64Url, toHex, utf8ByteLength } from '../../../src/_internal/bytes.js'
import { hashTicket } from '../../../src/tickets.js'

const bytes = fc.uint8Array({ maxLength: 200 })
const same = (a: Uint8Array, b: Uint8Array) => expect(Array.from(a)).toEqual(Array.from(b))

describe('bytes, against Buffer', () => {
  it('encodes base64, base64url and hex as Buffer does, and decodes them back', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const buf = Buffer.from(b)
        expect(toBase64(b)).toBe(buf.toString('base64'))
        expect(toBase64Url(b)).toBe(buf.toString('base64url'))
        expect(toHex(b)).toBe(buf.toString('hex'))
        same(fromBase64(buf.toString('base64')), b)
        same(fromBase64(buf.toString('base64url')), b)
        same(fromHex(buf.toString('hex')), b)
        expect(base64ByteLength(buf.toString('base64'))).toBe(b.length)
      }),
    )
  })

  it('decodes any string as Buffer.from(…, "base64") and "hex" do', () => {
    const near = (chars: string) => fc.string({ unit: fc.constantFrom(...chars), maxLength: 40 })
    const text = fc.oneof(near('ABCxyz019+/-_= \n.'), near('0123456789abcdefABCDEFg-'), fc.string())
    fc.assert(
      fc.property(text, (s) => {
        same(fromBase64(s), Buffer.from(s, 'base64'))
        same(fromHex(s), Buffer.from(s, 'hex'))
      }),
      { numRuns: 5_000 },
    )
  })

  it.each(['', 'a', 'é', '日本', '😀', '\ud800', 'x\udfffy'])('counts UTF-8 bytes of %j as Buffer.byteLength', (s) => {
    expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s))
  })

  it('compares and joins bytes', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false)
    same(concatBytes([Uint8Array.of(1), new Uint8Array(), Uint8Array.of(2, 3)]), Uint8Array.of(1, 2, 3))
  })

  it('hashes a ticket to the hex SHA-256 stores already hold', async () => {
    const ticket = 'q7Zx0b3m5Kc1v9nQ2wE4rT6yU8iO0pA_sDfGhJkLzX-'
    const before = createHash('sha256').update(ticket).digest('hex')
    expect(await hashTicket(ticket)).toBe(before)
    expect(await sha256Hex('é')).toBe(createHash('sha256').update('é').digest('hex'))
  })
})
