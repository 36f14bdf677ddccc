// The rows for POST forms (S3 POST Object with a signed policy): does the store take one at all, and
// does it enforce the policy's content-length-range and its "no other fields" rule.
import type { ProbeContext } from './context.js'
import { BODY, TYPE } from './context.js'
import { accepted, describeReply, refused, sendForm } from './http.js'
import { finding } from './rows.js'
import type { ProbeFinding } from './types.js'

async function stagedStatus(ctx: ProbeContext, key: string): Promise<string> {
  const stored = await ctx.read(key)
  return stored.status === 404 ? 'nothing stored' : stored.status === 200 ? `stored (${stored.bytes?.length ?? 0} bytes)` : `GetObject as client: ${stored.status}`
}

export async function postSupported(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.postGrant()
  const reply = await sendForm(grant.url, grant.fields, BODY, TYPE, ctx.timeoutMs)
  const stored = await ctx.read(grant.fields.key ?? '')
  return finding('post-supported', accepted(reply) && stored.status === 200, `${describeReply(reply)}; GetObject as client: ${stored.status}`)
}

export async function postLengthRange(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.postGrant({ size: BODY.length })
  const longer = new Uint8Array(BODY.length + 1)
  longer.set(BODY)
  longer[BODY.length] = 0x0a
  const reply = await sendForm(grant.url, grant.fields, longer, TYPE, ctx.timeoutMs)
  const where = await stagedStatus(ctx, grant.fields.key ?? '')
  return finding('post-length-range', refused(reply) && where === 'nothing stored', `${describeReply(reply)}; ${where}`)
}

export async function postExtraField(ctx: ProbeContext): Promise<ProbeFinding> {
  const grant = await ctx.postGrant()
  // Before the file, as every field must be; no condition of the policy names it.
  const fields = { ...grant.fields, 'x-amz-meta-probe': 'extra' }
  const reply = await sendForm(grant.url, fields, BODY, TYPE, ctx.timeoutMs)
  const where = await stagedStatus(ctx, grant.fields.key ?? '')
  return finding('post-extra-field', refused(reply) && where === 'nothing stored', `${describeReply(reply)}; ${where}`)
}
