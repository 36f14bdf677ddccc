// Bucket CORS: preflight evaluation and Access-Control-* on responses.
import type { Ctx, S3Response } from './context.js'
import { errors } from './errors.js'
import type { S3Request } from './request.js'
import type { State } from './state.js'

/** OPTIONS: the preflight, evaluated against the bucket's CORS rules. */
export function preflight(_state: State, _req: S3Request): S3Response {
  throw errors.notImplemented('CORS preflight is not implemented by the test S3 yet')
}

/** The Access-Control-* headers for an actual request from an allowed origin (also on errors). */
export function corsHeaders(_state: State, _req: S3Request): Record<string, string> {
  return {}
}
export const unused = (_ctx: Ctx) => undefined
