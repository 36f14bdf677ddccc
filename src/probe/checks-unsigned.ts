// The rows for x-amz-* headers a client adds to a grant without their being signed. AWS refuses such a
// request; Ceph RGW obeys the headers, and then only the signer's rights (and the bucket policy) limit
// what a grant can be turned into: a public object, or a server-side copy of something else.
import { encodeKeyPath } from '../sign/target.js'
import type { ProbeContext } from './context.js'
import { BODY } from './context.js'
import { sameBytes } from './checks-put.js'
import { accepted, describeReply, plainUrl, refused, send } from './http.js'
import { finding } from './rows.js'
import type { ProbeFinding } from './types.js'

const ALL_USERS = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'

export async function unsignedMeta(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const reply = await ctx.put(grant, BODY, { headers: { 'x-amz-meta-probe': 'unsigned' } })
  if (!accepted(reply)) return finding('unsigned-meta', refused(reply), describeReply(reply))
  const stored = await ctx.read(grant.key)
  const kept = stored.metadata?.probe === 'unsigned'
  return finding('unsigned-meta', !kept, `${describeReply(reply)}; x-amz-meta-probe ${kept ? 'stored' : 'not stored'}`)
}

/** A grant plus one unsigned header, then an anonymous GET of the object's plain URL. */
async function thenAnonymous(ctx: ProbeContext, id: 'unsigned-acl' | 'unsigned-grant', header: Record<string, string>): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  const reply = await ctx.put(grant, BODY, { headers: header })
  const anonymous = await send(plainUrl(grant.url), { method: 'GET' }, ctx.timeoutMs)
  const ok = refused(reply) || (anonymous.status !== 0 && anonymous.status !== 200)
  return finding(id, ok, `PUT ${describeReply(reply)}; anonymous GET ${describeReply(anonymous)}`)
}

export const unsignedAcl = (ctx: ProbeContext) => thenAnonymous(ctx, 'unsigned-acl', { 'x-amz-acl': 'public-read' })
export const unsignedGrant = (ctx: ProbeContext) => thenAnonymous(ctx, 'unsigned-grant', { 'x-amz-grant-read': ALL_USERS })

/**
 * Two canaries: one written by `client`, one through an honest grant (another owner's upload: on RGW
 * an object's writer may read it, the harder case). Then one fresh grant per canary, sent with an
 * unsigned x-amz-copy-source naming it. ok only if neither copy landed: the target, read by `client`,
 * holds the grant's own bytes or nothing.
 */
export async function unsignedCopySource(ctx: ProbeContext): Promise<ProbeFinding> {
  const ownerCanary = { label: "client's object", key: `${ctx.folder}canary-client`, bytes: new TextEncoder().encode('safe-presign probe canary, written by client\n') }
  await ctx.write(ownerCanary.key, ownerCanary.bytes)
  const signerBytes = new TextEncoder().encode('safe-presign probe canary, another upload\n')
  const signerGrant = await ctx.putGrant('put', { size: signerBytes.length })
  const wrote = await ctx.put(signerGrant, signerBytes)
  const legs: string[] = []
  let ok = true
  for (const canary of [ownerCanary, { label: 'another upload', key: signerGrant.key, bytes: signerBytes }]) {
    if (canary.key === signerGrant.key && !accepted(wrote)) {
      legs.push(`${canary.label}: not measured (its honest PUT got ${describeReply(wrote)})`)
      continue
    }
    const grant = await ctx.putGrant('put')
    const reply = await ctx.put(grant, BODY, { headers: { 'x-amz-copy-source': `/${ctx.bucket}/${encodeKeyPath(canary.key)}` } })
    const target = await ctx.read(grant.key)
    const copied = target.bytes !== undefined && sameBytes(target.bytes, canary.bytes)
    const own = target.bytes !== undefined && sameBytes(target.bytes, BODY)
    const stopped = !copied && (refused(reply) || own)
    if (!stopped) ok = false
    const what = copied ? 'COPIED' : own ? 'the grant\'s own bytes stored' : target.status === 404 ? 'nothing stored' : `target GetObject ${target.status}`
    legs.push(`${canary.label}: ${describeReply(reply)}, ${what}`)
  }
  return finding('unsigned-copy-source', ok, legs.join('; '))
}
