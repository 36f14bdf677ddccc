// The rows about the setup rather than one request: who signs, and which origins CORS lets in.
import type { ProbeContext } from './context.js'
import { describeReply, send } from './http.js'
import { finding } from './rows.js'
import type { ProbeFinding } from './types.js'

export const FOREIGN_ORIGIN = 'https://probe.invalid'

export async function signerSeparate(ctx: ProbeContext): Promise<ProbeFinding> {
  if (ctx.signer === undefined || ctx.signer === ctx.client) return finding('signer-separate', false, 'no separate signer: `client` signs the grants')
  const [a, b] = await Promise.all([ctx.client.config.credentials(), ctx.signer.config.credentials()])
  // Access key ids are not secret, but they are not printed: saying whether they differ is enough.
  if (a.accessKeyId === b.accessKeyId) return finding('signer-separate', false, 'the signer uses the same access key id as `client`')
  return finding('signer-separate', true, 'the signer uses another access key id than `client`')
}

/** A PUT preflight for an object in the probe folder (nothing is written). */
async function preflight(ctx: ProbeContext, url: string, origin: string): Promise<{ allowed: boolean; observed: string }> {
  const reply = await send(
    url,
    { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } },
    ctx.timeoutMs,
  )
  const allow = reply.headers.get('access-control-allow-origin')
  const allowed = allow === '*' || allow === origin
  return { allowed, observed: `${describeReply(reply)}, ${allow === null ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin: ${JSON.stringify(allow.slice(0, 100))}`}` }
}

export async function corsForeignOrigin(ctx: ProbeContext, origin: string | undefined): Promise<ProbeFinding> {
  const grant = await ctx.putGrant('put')
  // The object's URL, unsigned: a preflight carries no credentials.
  const url = new URL(grant.url)
  url.search = ''
  const foreign = await preflight(ctx, url.href, FOREIGN_ORIGIN)
  const parts = [`from ${FOREIGN_ORIGIN}: ${foreign.observed}`]
  if (origin !== undefined) {
    const own = await preflight(ctx, url.href, origin)
    parts.push(`from ${origin} (yours): ${own.observed}${own.allowed ? '' : ' (browser uploads from your origin would fail)'}`)
  }
  return finding('cors-foreign-origin', !foreign.allowed, parts.join('; '))
}
