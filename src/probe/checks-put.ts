// The rows that bind a PUT grant: the signature, its expiry, the key, the signed headers (size, type,
// digests) and create-once. Each sends one misuse; a refusal must come with nothing stored.
import type { ProbeContext } from './context.js'
import { BODY, OTHER } from './context.js'
import { accepted, describeReply, refused, tamperSignature, type Reply } from './http.js'
import { finding } from './rows.js'
import type { ProbeFinding } from './types.js'

/** ok when the request was refused and `client` finds nothing under `key`. */
async function refusedAndAbsent(ctx: ProbeContext, reply: Reply, key: string): Promise<{ ok: boolean; observed: string }> {
  const stored = await ctx.read(key)
  const where = stored.status === 404 ? 'nothing stored' : stored.status === 200 ? 'the object was stored' : `HEAD as client: ${stored.status}`
  return { ok: refused(reply) && stored.status === 404, observed: `${describeReply(reply)}; ${where}` }
}

export async function honestPut(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const reply = await ctx.put(grant, BODY)
  const stored = await ctx.read(grant.key)
  return finding('put-supported', accepted(reply) && stored.status === 200, `${describeReply(reply)}; GetObject as client: ${stored.status}`)
}

export async function tamperedSignature(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, BODY, { url: tamperSignature(grant.url) }), grant.key)
  return finding('tampered-signature', r.ok, r.observed)
}

export async function expired(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('past')
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, BODY), grant.key)
  return finding('expired', r.ok, r.observed)
}

export async function otherKey(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  // The same folder, another last segment: `<uuid>.txt` becomes `other-<uuid>` (neither needs encoding).
  const name = grant.key.slice(grant.key.lastIndexOf('/') + 1)
  const otherName = `other-${crypto.randomUUID()}`
  const other = grant.key.slice(0, -name.length) + otherName
  ctx.track(other)
  const url = new URL(grant.url)
  url.pathname = url.pathname.slice(0, -name.length) + otherName
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, BODY, { url: url.href }), other)
  return finding('other-key', r.ok, r.observed)
}

export async function contentLength(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const longer = new Uint8Array(BODY.length + 1)
  longer.set(BODY)
  longer[BODY.length] = 0x0a
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, longer), grant.key)
  return finding('content-length', r.ok, r.observed)
}

export async function contentType(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, BODY, { headers: { 'content-type': 'text/html' } }), grant.key)
  return finding('content-type', r.ok, `text/html on a text/plain grant: ${r.observed}`)
}

export async function contentMd5(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('md5')
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, OTHER), grant.key)
  return finding('content-md5', r.ok, r.observed)
}

export async function checksumSha256(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('sha256')
  const r = await refusedAndAbsent(ctx, await ctx.put(grant, OTHER), grant.key)
  return finding('checksum-sha256', r.ok, r.observed)
}

export async function ifNoneMatch(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const first = await ctx.put(grant, BODY)
  const second = await ctx.put(grant, OTHER)
  const stored = await ctx.read(grant.key)
  const kept = stored.bytes !== undefined && sameBytes(stored.bytes, BODY)
  const observed = `first PUT ${describeReply(first)}, second ${describeReply(second)}; ${kept ? 'the first bytes kept' : stored.status === 200 ? 'overwritten' : `GetObject as client: ${stored.status}`}`
  return finding('if-none-match', accepted(first) && refused(second) && kept, observed)
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}
