// MD5 (RFC 1321), incremental. WebCrypto has no MD5, and S3 checks Content-MD5 itself: the browser client
// needs it per part or for the whole file, and complete() needs it to verify an object S3 gave no plain MD5
// ETag for. Not for security: a digest S3 compares. Web APIs only, so the core stays runtime-neutral.

// K[i] = floor(|sin(i + 1)| · 2^32), as RFC 1321 defines the table.
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0)
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

export interface Md5 {
  update(bytes: Uint8Array): Md5
  /** The 16-byte digest. The hash takes no more input afterwards. */
  digest(): Uint8Array
}

export function md5(): Md5 {
  const h = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]
  const buffer = new Uint8Array(64)
  const m = new Int32Array(16)
  let used = 0
  let length = 0

  const block = (bytes: Uint8Array, at: number) => {
    for (let i = 0; i < 16; i++) {
      const o = at + i * 4
      m[i] = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)
    }
    let [a, b, c, d] = h as [number, number, number, number]
    for (let i = 0; i < 64; i++) {
      const round = i >> 4
      const f = round === 0 ? (b & c) | (~b & d) : round === 1 ? (d & b) | (~d & c) : round === 2 ? b ^ c ^ d : c ^ (b | ~d)
      const g = round === 0 ? i : round === 1 ? (5 * i + 1) & 15 : round === 2 ? (3 * i + 5) & 15 : (7 * i) & 15
      const x = (a + f + K[i]! + m[g]!) | 0
      const s = S[round * 4 + (i & 3)]!
      a = d
      d = c
      c = b
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
  }

  const self: Md5 = {
    update(bytes) {
      length += bytes.length
      let i = 0
      if (used > 0) {
        const take = Math.min(64 - used, bytes.length)
        buffer.set(bytes.subarray(0, take), used)
        used += take
        i = take
        if (used < 64) return self
        block(buffer, 0)
        used = 0
      }
      for (; i + 64 <= bytes.length; i += 64) block(bytes, i)
      buffer.set(bytes.subarray(i), 0)
      used = bytes.length - i
      return self
    },
    digest() {
      const bits = length * 8
      const tail = new Uint8Array(used < 56 ? 64 - used : 128 - used)
      tail[0] = 0x80
      const n = tail.length
      // The message length in bits, 64-bit little-endian (files above 512 MiB need the high word).
      for (let i = 0, low = bits >>> 0; i < 4; i++) tail[n - 8 + i] = (low >>> (8 * i)) & 0xff
      for (let i = 0, high = Math.floor(bits / 2 ** 32); i < 4; i++) tail[n - 4 + i] = (high >>> (8 * i)) & 0xff
      self.update(tail)
      const out = new Uint8Array(16)
      for (let i = 0; i < 16; i++) out[i] = (h[i >> 2]! >>> (8 * (i & 3))) & 0xff
      return out
    },
  }
  return self
}
