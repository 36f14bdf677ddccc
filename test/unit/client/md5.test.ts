// MD5 is hand-written (WebCrypto has none) and S3 compares it byte for byte: RFC 1321's vectors,
// every split of the input, lengths around the 56/64-byte padding boundaries, against node:crypto.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { md5 } from '../../../src/client/md5.js'
import { algorithmAsked, base64, digestBase64 } from '../../../src/client/digest.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const text = (s: string) => new TextEncoder().encode(s)

describe('md5', () => {
  // RFC 1321, appendix A.5.
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
    ['The quick brown fox jumps over the lazy dog', '9e107d9d372bb6826bd81d3542a419d6'],
  ])('md5(%j) = %s', (input, digest) => {
    expect(hex(md5().update(text(input)).digest())).toBe(digest)
  })

  it('matches node:crypto for every length 0..300 (the padding boundaries), fed in one piece and in uneven pieces', () => {
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff)
      const want = createHash('md5').update(data).digest('hex')
      expect(hex(md5().update(data).digest()), `length ${n}`).toBe(want)
      const pieces = md5()
      for (let at = 0, step = 1; at < n; at += step, step = (step * 3) % 70 + 1) pieces.update(data.subarray(at, at + step))
      expect(hex(pieces.digest()), `length ${n} in pieces`).toBe(want)
    }
  })

  it('digestBase64 hashes a 9 MiB Blob in slices to the same MD5 and SHA-256 as node:crypto', async () => {
    const data = Uint8Array.from({ length: 9 * 1024 * 1024 + 13 }, (_, i) => (i ^ (i >>> 9)) & 0xff)
    const blob = new Blob([data])
    expect(await digestBase64(blob, 'md5')).toBe(createHash('md5').update(data).digest('base64'))
    expect(await digestBase64(blob, 'sha256')).toBe(createHash('sha256').update(data).digest('base64'))
  })

  it('base64 encodes like Buffer, and the algorithm a CHECKSUM_REQUIRED asks for is read from details, else the message', () => {
    const data = Uint8Array.from({ length: 33 }, (_, i) => 255 - i * 7)
    expect(base64(data)).toBe(Buffer.from(data).toString('base64'))
    expect(algorithmAsked({ algorithm: 'md5' }, 'requires the base64 sha256 digest')).toBe('md5')
    expect(algorithmAsked({ option: 'checksum' }, '`checksum` is undefined; this builder requires the base64 sha256 digest of the file')).toBe('sha256')
    expect(algorithmAsked(undefined, 'this builder requires the base64 md5 digest of the file')).toBe('md5')
    expect(algorithmAsked(undefined, 'a digest is required')).toBeUndefined()
  })
})
