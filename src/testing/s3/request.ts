// A request as the handlers see it: the raw path and query (SigV4 signs what was sent), decoded
// bucket, key and parameters, headers by lower-case name, and the whole body, capped.
import type { IncomingMessage } from 'node:http'
import { S3Error } from './errors.js'

export interface S3Request {
  method: string
  /** The path as sent, still percent-encoded, without the query. */
  rawPath: string
  /** Query parameters, decoded, in the order sent. */
  query: [string, string][]
  /** Headers by lower-case name; repeated ones joined with ',' (as SigV4 canonicalizes them). */
  headers: Map<string, string>
  bucket?: string
  key?: string
  body: Uint8Array
}

/** The first value of query parameter `name` (case-sensitive), or undefined. */
export function param(req: S3Request, name: string): string | undefined {
  return req.query.find(([k]) => k === name)?.[1]
}
export const hasParam = (req: S3Request, name: string): boolean => req.query.some(([k]) => k === name)

function decode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.")
  }
}

export function parseQuery(raw: string): [string, string][] {
  if (raw === '') return []
  return raw.split('&').filter((p) => p !== '').map((pair) => {
    const at = pair.indexOf('=')
    return at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))]
  })
}

/** Reads the body; past `limit` bytes the connection's data is dropped and EntityTooLarge raised. */
export async function readBody(message: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of message as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      message.resume()
      throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: String(limit) })
    }
    chunks.push(chunk)
  }
  const out = Buffer.concat(chunks, size)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

export function parseRequest(message: IncomingMessage, body: Uint8Array): S3Request {
  const url = message.url ?? '/'
  const q = url.indexOf('?')
  const rawPath = q < 0 ? url : url.slice(0, q)
  const query = parseQuery(q < 0 ? '' : url.slice(q + 1))
  const headers = new Map<string, string>()
  const raw = message.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const value = raw[i + 1]!
    headers.set(name, headers.has(name) ? `${headers.get(name)},${value}` : value)
  }
  // Path-style only: /bucket/key. An empty key segment ("/bucket/") is the bucket itself.
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath
  const slash = path.indexOf('/')
  const bucket = path === '' ? undefined : decode(slash < 0 ? path : path.slice(0, slash))
  const keyPart = slash < 0 ? '' : path.slice(slash + 1)
  const key = keyPart === '' ? undefined : decode(keyPart)
  return { method: (message.method ?? 'GET').toUpperCase(), rawPath, query, headers, bucket, key, body }
}
