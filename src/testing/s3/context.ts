// What every operation handler gets, and what it returns.
import { bucketAclAllowsEveryone } from './bucket-acl.js'
import { errors } from './errors.js'
import { baseKeys, bucketArn, evaluate, objectArn, type ConditionKeys } from './permissions.js'
import type { S3Request } from './request.js'
import type { Auth } from './sigv4.js'
import type { Bucket, State } from './state.js'

export interface S3Response {
  status: number
  headers?: Record<string, string>
  body?: Uint8Array | string
}

export interface Ctx {
  state: State
  req: S3Request
  auth: Auth
  requestId: string
}

export type Handler = (ctx: Ctx) => S3Response | Promise<S3Response>

/** The principal's name for logs and ownership: 'root', a principal's name, or 'anonymous'. */
export const who = (auth: Auth): string => auth.principal?.name ?? 'anonymous'

/** True when the signer may do `action` on the key (or the bucket, without one). */
export function allowed(ctx: Ctx, action: string, bucket: string, key?: string, keys: ConditionKeys = {}): boolean {
  if (!ctx.auth.principal) return anonymousAllowed(ctx, action, bucket)
  const resource = key === undefined ? bucketArn(bucket) : objectArn(bucket, key)
  return evaluate(ctx.auth.principal, action, resource, { ...baseKeys(ctx.auth, ctx.state.now()), ...keys }) === 'allow'
}

// An anonymous request has no identity policy: only a public bucket ACL can allow it (an object's own
// ACL is checked by the read path). Bucket policies are stored, not evaluated (docs/testing.md).
const ANONYMOUS_BY_ACL: Record<string, 'READ' | 'WRITE'> = { 's3:ListBucket': 'READ', 's3:PutObject': 'WRITE', 's3:DeleteObject': 'WRITE' }
function anonymousAllowed(ctx: Ctx, action: string, bucketName: string): boolean {
  const permission = ANONYMOUS_BY_ACL[action]
  const bucket = ctx.state.buckets.get(bucketName)
  return permission !== undefined && bucket !== undefined && bucketAclAllowsEveryone(bucket, ctx.state, permission)
}

/** Throws AccessDenied unless the signer may do `action`. */
export function authorize(ctx: Ctx, action: string, bucket: string, key?: string, keys?: ConditionKeys): void {
  if (!allowed(ctx, action, bucket, key, keys)) throw errors.accessDenied()
}

export function bucketOf(ctx: Ctx): Bucket {
  const name = ctx.req.bucket
  const bucket = name === undefined ? undefined : ctx.state.buckets.get(name)
  if (!bucket) throw errors.noSuchBucket(name ?? '')
  return bucket
}

/** Reserves `bytes` against the cap, or refuses the write. */
export function reserve(state: State, bytes: number): void {
  if (state.usedBytes + bytes > state.maxBytes) {
    throw errors.invalidRequest(`The test S3 holds at most maxBytes = ${state.maxBytes} bytes in memory; ${state.usedBytes} are in use and this write needs ${bytes} more`)
  }
  state.usedBytes += bytes
}
export function release(state: State, bytes: number): void {
  state.usedBytes = Math.max(0, state.usedBytes - bytes)
}

export const httpDate = (ms: number): string => new Date(ms).toUTCString()
export const isoDate = (ms: number): string => new Date(ms).toISOString()
