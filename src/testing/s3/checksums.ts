// The digests S3 checks on a write: Content-MD5, and the flexible checksums (x-amz-checksum-*), each
// as base64 of the big-endian digest, as S3 sends and compares them.
import { createHash } from 'node:crypto'

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
}
const CRC32 = table(0xedb88320)
const CRC32C = table(0x82f63b78)

function crc(t: Uint32Array, bytes: Uint8Array): Uint8Array {
  let c = 0xffffffff
  for (const b of bytes) c = t[(c ^ b) & 0xff]! ^ (c >>> 8)
  c = (c ^ 0xffffffff) >>> 0
  return Uint8Array.of(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff)
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones.
const CRC64 = (() => {
  const t = new Array<bigint>(256)
  const poly = 0x9a6c9329ac4bc9b5n
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n)
    for (let k = 0; k < 8; k++) c = c & 1n ? poly ^ (c >> 1n) : c >> 1n
    t[n] = c
  }
  return t
})()
function crc64(bytes: Uint8Array): Uint8Array {
  const mask = 0xffffffffffffffffn
  let c = mask
  for (const b of bytes) c = CRC64[Number((c ^ BigInt(b)) & 0xffn)]! ^ (c >> 8n)
  c = (c ^ mask) & mask
  const out = new Uint8Array(8)
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(c & 0xffn)
    c >>= 8n
  }
  return out
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64')

/** The algorithms S3 takes in x-amz-checksum-<name>, with their digest lengths in bytes. */
export const CHECKSUMS: Record<string, { bytes: number; digest: (body: Uint8Array) => string }> = {
  crc32: { bytes: 4, digest: (b) => b64(crc(CRC32, b)) },
  crc32c: { bytes: 4, digest: (b) => b64(crc(CRC32C, b)) },
  crc64nvme: { bytes: 8, digest: (b) => b64(crc64(b)) },
  sha1: { bytes: 20, digest: (b) => createHash('sha1').update(b).digest('base64') },
  sha256: { bytes: 32, digest: (b) => createHash('sha256').update(b).digest('base64') },
}

export const md5Base64 = (body: Uint8Array): string => createHash('md5').update(body).digest('base64')
export const md5Hex = (body: Uint8Array): string => createHash('md5').update(body).digest('hex')

/** True when `value` is canonical base64 of exactly `bytes` bytes. */
export function isBase64Of(value: string, bytes: number): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return false
  return Buffer.from(value, 'base64').length === bytes && Buffer.from(value, 'base64').toString('base64') === value
}
