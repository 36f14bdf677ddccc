// Shared by the safe-presign-on-RGW tests (not a test file: vitest only collects *.test.ts).
// - real bytes: a minimal valid PNG built here, so sniffing sees a genuine signature;
// - raw requests that use a grant exactly as a client would, or with one thing changed;
// - the enforcement table: each case records what RGW (or the library) answered, and each file
//   prints its rows in afterAll and appends them to one file per vitest run under .test-output/
//   (git-ignored, in the repo: tests leave nothing in the OS temp folder).
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3'
import { expect } from 'vitest'
import { isSafePresignError, type PostGrant, type PutGrant, type UploadGrant } from '../../../src/index.js'
import { httpRequest, type HttpResult } from '../../helpers/rgw.js'

// ---------- bytes ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A real, decodable PNG: `width`×1 grayscale pixels (8 bit), valid CRCs and zlib stream. */
export function minimalPng(width = 1): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0) // width
  ihdr.writeUInt32BE(1, 4) // height
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // colour type: grayscale
  // compression, filter, interlace: 0
  const scanline = Buffer.concat([Buffer.from([0]), Buffer.alloc(width, 0x80)]) // filter byte 0, then pixels
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** HTML a browser would run, the classic "it's an image, honest" payload. */
export const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>\n', 'utf8')

// ---------- requests ----------

export const asPut = (grant: UploadGrant): PutGrant => {
  if (grant.method !== 'PUT') throw new Error(`expected a PUT grant, got ${grant.method}`)
  return grant
}

export const asPost = (grant: UploadGrant): PostGrant => {
  if (grant.method !== 'POST') throw new Error(`expected a POST grant, got ${grant.method}`)
  return grant
}

/**
 * Sends `body` with the grant's headers, as a client would. `headers` overrides them (undefined drops
 * one). fetch computes Content-Length from the body and refuses a header that disagrees, so a client
 * cannot lie about it: when the body's length is not the signed one, the header is left to fetch and
 * the signed value then mismatches what is sent.
 */
export function putWith(grant: PutGrant, body: Buffer | string, change: { headers?: Record<string, string | undefined>; url?: string } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...grant.headers }
  for (const [name, value] of Object.entries(change.headers ?? {})) {
    if (value === undefined) delete headers[name]
    else headers[name] = value
  }
  if (headers['content-length'] !== String(Buffer.byteLength(body))) delete headers['content-length']
  return httpRequest(change.url ?? grant.url, { method: 'PUT', headers, body })
}

/** The URL with the last hex digit of X-Amz-Signature flipped. */
export function tamperUrl(href: string): string {
  const url = new URL(href)
  const sig = url.searchParams.get('X-Amz-Signature') ?? ''
  url.searchParams.set('X-Amz-Signature', flip(sig))
  return url.href
}

/** The signature with its last hex digit changed. */
export const flip = (sig: string): string => sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0')

export async function head(client: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined
    throw error
  }
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`)
    },
    (error: unknown) => error,
  )
}

/** The SafePresignError code a promise rejects with. */
export async function libraryCode(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise)
  if (!isSafePresignError(error)) throw error
  return error.code
}

// ---------- the enforcement table ----------

export interface Row {
  file: string
  case: string
  observed: string
}

/** One vitest run = one file: the workers (pool 'forks') share the vitest process as their parent. */
export const TABLE_FILE = join(fileURLToPath(new URL('../../../.test-output/', import.meta.url)), `enforcement-${process.ppid}.md`)

export function enforcementTable(file: string) {
  const rows: Row[] = []
  return {
    /** Records an HTTP outcome (status and S3 error code) and asserts it. */
    http(name: string, res: HttpResult, expected: readonly [number, string | undefined]) {
      rows.push({ file, case: name, observed: `${res.status}${res.code ? ` ${res.code}` : ''}` })
      expect([res.status, res.code], `${name}: ${res.message ?? ''}`).toEqual(expected)
    },
    /** Records a library outcome (an error code, or `ok`) and asserts it. */
    library(name: string, code: string, expected: string) {
      rows.push({ file, case: name, observed: `library: ${code}` })
      expect(code, name).toBe(expected)
    },
    /** Records a free-form observation (e.g. an SDK call's outcome). */
    note(name: string, observed: string) {
      rows.push({ file, case: name, observed })
    },
    /** Prints this file's rows and appends them to TABLE_FILE. */
    flush() {
      if (rows.length === 0) return
      const lines = rows.map((r) => `| ${r.file} | ${r.case} | ${r.observed} |`)
      mkdirSync(dirname(TABLE_FILE), { recursive: true })
      appendFileSync(TABLE_FILE, `${lines.join('\n')}\n`)
      console.log(`enforcement observed (${file}; whole run: ${TABLE_FILE})\n| file | case | observed |\n|---|---|---|\n${lines.join('\n')}`)
    },
  }
}
