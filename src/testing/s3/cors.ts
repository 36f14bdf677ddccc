// Bucket CORS as S3 evaluates it: the preflight (OPTIONS on any path in the bucket) and the
// Access-Control-* headers on an actual request. "uses the first CORSRule rule that matches":
// the Origin against AllowedOrigin, the method (the Access-Control-Request-Method header when
// present) against AllowedMethod, and every Access-Control-Request-Headers name against
// AllowedHeader (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html).
// Where the docs are silent, the answers are those recorded against S3 (LocalStack's AWS-validated
// snapshots, tests/aws/services/s3/test_s3_cors.snapshot.json): the messages, codes and headers below.
import type { S3Response } from './context.js'
import { S3Error } from './errors.js'
import type { S3Request } from './request.js'
import type { CorsRule, State } from './state.js'

export const CORS_METHODS: readonly string[] = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE']
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method'
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."

/** One `*` at most (PutBucketCors refuses more): it stands for any run of characters, the empty one too. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*')
  if (star < 0) return pattern === value
  const head = pattern.slice(0, star)
  const tail = pattern.slice(star + 1)
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail)
}

/** The names of Access-Control-Request-Headers, lower-case, in the order sent. */
function requestedHeaders(req: S3Request): string[] {
  const raw = req.headers.get('access-control-request-headers')
  if (raw === undefined) return []
  return raw.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '')
}

// Origins compare case-sensitively: browsers send them serialized in lower case, and AWS says the
// scheme, host and port must match (https://repost.aws/knowledge-center/s3-configure-cors).
// Header names compare case-insensitively, as HTTP field names do (recorded against S3).
function matches(rule: CorsRule, origin: string, method: string, headers: readonly string[]): boolean {
  if (!rule.allowedOrigins.some((o) => wildcardMatch(o, origin))) return false
  if (!rule.allowedMethods.includes(method)) return false
  const allowed = rule.allowedHeaders.map((h) => h.toLowerCase())
  return headers.every((h) => allowed.some((a) => wildcardMatch(a, h)))
}

export function firstMatch(rules: readonly CorsRule[], origin: string, method: string, headers: readonly string[]): CorsRule | undefined {
  return rules.find((rule) => matches(rule, origin, method, headers))
}

/** What a matched rule answers on a preflight and on an actual request alike. */
function ruleHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const any = rule.allowedOrigins.includes('*')
  const out: Record<string, string> = {
    'access-control-allow-origin': any ? '*' : origin,
    // The OPTIONS page says "the HTTP method that was sent"; every answer recorded from S3 lists
    // the matched rule's methods, and browsers accept either.
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: VARY,
  }
  if (!any) out['access-control-allow-credentials'] = 'true'
  if (rule.exposeHeaders.length > 0) out['access-control-expose-headers'] = rule.exposeHeaders.join(', ')
  if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds)
  return out
}

const forbidden = (message: string, method: string, resourceType: 'BUCKET' | 'OBJECT') => new S3Error(403, 'AccessForbidden', message, { Method: method, ResourceType: resourceType })

/**
 * OPTIONS: the preflight, evaluated against the bucket's CORS rules. Unsigned, as browsers send it.
 * The order of the checks is S3's: Origin, then the bucket, then its configuration, then the method.
 */
export function preflight(state: State, req: S3Request): S3Response {
  const origin = req.headers.get('origin')
  if (origin === undefined) throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.')
  const method = req.headers.get('access-control-request-method')
  const bucket = req.bucket === undefined ? undefined : state.buckets.get(req.bucket)
  if (!bucket) throw forbidden('CORSResponse: Bucket not found', method ?? 'OPTIONS', 'BUCKET')
  const rules = bucket.settings.cors
  if (!rules || rules.length === 0) throw forbidden('CORSResponse: CORS is not enabled for this bucket.', method ?? 'OPTIONS', 'BUCKET')
  // Unrecorded on S3 once rules exist (Ceph RGW answers 400; so does Scality's S3 with this message).
  if (method === undefined || !CORS_METHODS.includes(method)) throw new S3Error(400, 'BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`)
  const headers = requestedHeaders(req)
  const rule = firstMatch(rules, origin, method, headers)
  if (!rule) throw forbidden(NOT_ALLOWED, method, req.key === undefined ? 'BUCKET' : 'OBJECT')
  const out = ruleHeaders(rule, origin)
  // "Amazon S3 returns any requested headers that are allowed": all of them, since the rule matched.
  if (headers.length > 0) out['access-control-allow-headers'] = headers.join(', ')
  return { status: 200, headers: out }
}

/**
 * The Access-Control-* headers for an actual request from an allowed origin (also on errors), or {}.
 * As recorded against S3: an Access-Control-Request-Method header, when sent, is the method matched,
 * and Access-Control-Request-Headers, when sent, must be allowed; the request's own headers are not checked.
 */
export function corsHeaders(state: State, req: S3Request): Record<string, string> {
  if (req.method === 'OPTIONS') return {} // preflight() answers those itself
  const origin = req.headers.get('origin')
  const rules = req.bucket === undefined ? undefined : state.buckets.get(req.bucket)?.settings.cors
  if (origin === undefined || !rules || rules.length === 0) return {}
  const method = req.headers.get('access-control-request-method') ?? req.method
  const rule = firstMatch(rules, origin, method, requestedHeaders(req))
  return rule ? ruleHeaders(rule, origin) : {}
}
