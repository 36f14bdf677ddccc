// SigV4, as S3 checks it, for query (presigned) and header auth: the credential scope and date,
// expiry (X-Amz-Expires at most 604800), the signature over the canonical request, and AWS's rule
// that every x-amz-* header present is signed (HeadersNotSigned). POST policies are checked in post.ts
// with the same signing key.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { S3Error, errors } from './errors.js'
import type { S3Request } from './request.js'
import type { Principal, State } from './state.js'

export type AuthType = 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST' | 'anonymous'

export interface Auth {
  /** undefined: an anonymous request. */
  principal: Principal | undefined
  type: AuthType
  signedHeaders: ReadonlySet<string>
  /** ms since the request was signed (s3:signatureAge). */
  signatureAgeMs?: number
  /** Header auth: x-amz-content-sha256 as sent (a hex digest, UNSIGNED-PAYLOAD or a STREAMING-* value). */
  payloadHash?: string
}

export const MAX_EXPIRES_SECONDS = 604_800
const SKEW_MS = 15 * 60 * 1000
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest()

export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request')
}
export const hmacHex = (key: Buffer, data: string): string => createHmac('sha256', key).update(data, 'utf8').digest('hex')

/**
 * RFC 3986 encoding as SigV4 canonicalizes: encodeURIComponent plus `!'()*`. Written here again on
 * purpose, not taken from the library's signer: the test S3 is the oracle for the library's URLs, so it
 * must not share the code it checks (the SDK's own presigned URLs keep this one honest, sigv4.test.ts).
 */
export const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** ms since the epoch of an ISO 8601 basic date (`20261201T120000Z`), or undefined. */
export function parseAmzDate(value: string | undefined): number | undefined {
  const m = value === undefined ? null : AMZ_DATE.exec(value)
  if (!m) return undefined
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  return Number.isNaN(t) ? undefined : t
}

export function canonicalUri(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/'
  return rawPath.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/')
}

export function canonicalQuery(query: readonly [string, string][], omit?: string): string {
  return query
    .filter(([k]) => k !== omit)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

const canonicalValue = (v: string) => v.trim().replace(/\s+/g, ' ')

function canonicalRequest(req: S3Request, signed: readonly string[], payload: string, omitQuery?: string): string {
  const headers = signed.map((name) => `${name}:${canonicalValue(req.headers.get(name) ?? '')}\n`).join('')
  return [req.method, canonicalUri(req.rawPath), canonicalQuery(req.query, omitQuery), headers, signed.join(';'), payload].join('\n')
}

function verify(principal: Principal, req: S3Request, scope: Scope, amzDate: string, signed: readonly string[], payload: string, provided: string, omitQuery?: string): void {
  const request = canonicalRequest(req, signed, payload, omitQuery)
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${scope.day}/${scope.region}/${scope.service}/aws4_request`, sha256Hex(request)].join('\n')
  checkSignature(principal, scope, stringToSign, provided, { CanonicalRequest: request })
}

/** The signature of `stringToSign` with the principal's key for `scope`, or 403 SignatureDoesNotMatch (also for POST forms). */
export function checkSignature(principal: Principal, scope: Scope, stringToSign: string, provided: string, extra: Record<string, string> = {}): void {
  const expected = hmacHex(signingKey(principal.secretAccessKey, scope.day, scope.region, scope.service), stringToSign)
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(provided, 'utf8')
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: principal.accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: provided,
      ...extra,
    })
  }
}

export interface Scope {
  accessKeyId: string
  day: string
  region: string
  service: string
}

/** The credential scope, checked against this S3's region; `fail` builds the error AWS answers for it. */
export function parseCredential(state: State, value: string, fail: (message: string, extra?: Record<string, string>) => S3Error): Scope {
  const parts = value.split('/')
  if (parts.length !== 5 || parts.some((p) => p === '')) throw fail(`Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
  const [accessKeyId, day, region, service, terminal] = parts as [string, string, string, string, string]
  if (!/^\d{8}$/.test(day)) throw fail(`Error parsing the X-Amz-Credential parameter; incorrect date format "${day}". This date in the credential must be in the format "yyyyMMdd".`)
  if (region !== state.region) throw fail(`Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${state.region}'`, { Region: state.region })
  if (service !== 's3') throw fail(`Error parsing the X-Amz-Credential parameter; incorrect service "${service}". This endpoint belongs to "s3".`)
  if (terminal !== 'aws4_request') throw fail(`Error parsing the X-Amz-Credential parameter; incorrect terminal "${terminal}". This endpoint uses "aws4_request".`)
  return { accessKeyId, day, region, service }
}

export function principalFor(state: State, accessKeyId: string): Principal {
  const principal = state.principals.get(accessKeyId)
  if (!principal) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId })
  return principal
}

/** AWS: every x-amz-* header in the request must be signed (query and header auth alike). */
function checkAllSigned(req: S3Request, signed: ReadonlySet<string>): void {
  const unsigned = [...req.headers.keys()].filter((h) => h.startsWith('x-amz-') && !signed.has(h))
  if (unsigned.length > 0) throw errors.accessDenied('There were headers present in the request which were not signed', { HeadersNotSigned: unsigned.join(', ') })
}

function queryAuth(state: State, req: S3Request, get: (name: string) => string | undefined): Auth {
  const fail = (message: string, extra?: Record<string, string>) => new S3Error(400, 'AuthorizationQueryParametersError', message, extra)
  const algorithm = get('X-Amz-Algorithm')
  const credential = get('X-Amz-Credential')
  const amzDate = get('X-Amz-Date')
  const expires = get('X-Amz-Expires')
  const signedList = get('X-Amz-SignedHeaders')
  const signature = get('X-Amz-Signature')
  if ([algorithm, credential, amzDate, expires, signedList, signature].some((v) => v === undefined)) {
    throw fail('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.')
  }
  if (algorithm !== 'AWS4-HMAC-SHA256') throw fail('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
  // Each once: a second X-Amz-Signature would be left out of the canonical query unverified.
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
    if (req.query.filter(([k]) => k === name).length > 1) throw fail(`${name} appears more than once in the query string`)
  }
  const scope = parseCredential(state, credential!, fail)
  const signedAt = parseAmzDate(amzDate)
  if (signedAt === undefined) throw fail(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
  if (amzDate!.slice(0, 8) !== scope.day) throw fail('Invalid credential date. Date is not the same as X-Amz-Date.')
  if (!/^\d+$/.test(expires!)) throw fail('X-Amz-Expires should be a number')
  const seconds = Number(expires)
  if (seconds > MAX_EXPIRES_SECONDS) throw fail(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`)
  const principal = principalFor(state, scope.accessKeyId)
  const signed = signedList!.split(';')
  if (!signed.includes('host')) throw errors.accessDenied('There were headers present in the request which were not signed', { HeadersNotSigned: 'host' })
  const now = state.now()
  if (now < signedAt - SKEW_MS) throw errors.accessDenied('Request is not valid yet')
  if (now > signedAt + seconds * 1000) {
    throw errors.accessDenied('Request has expired', { 'X-Amz-Expires': expires!, Expires: new Date(signedAt + seconds * 1000).toISOString(), ServerTime: new Date(now).toISOString() })
  }
  const payload = get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD'
  verify(principal, req, scope, amzDate!, signed, payload, signature!, 'X-Amz-Signature')
  const signedSet = new Set(signed)
  checkAllSigned(req, signedSet)
  return { principal, type: 'REST-QUERY-STRING', signedHeaders: signedSet, signatureAgeMs: now - signedAt, payloadHash: payload }
}

function headerAuth(state: State, req: S3Request, header: string): Auth {
  const fail = (message: string, extra?: Record<string, string>) => new S3Error(400, 'AuthorizationHeaderMalformed', message.replace('Error parsing the X-Amz-Credential parameter; ', 'The authorization header is malformed; '), extra)
  if (!header.startsWith('AWS4-HMAC-SHA256 ')) {
    throw errors.invalidArgument('Unsupported Authorization Type', 'Authorization', header.split(' ')[0])
  }
  const fields = new Map(header.slice('AWS4-HMAC-SHA256 '.length).split(',').map((f) => {
    const at = f.indexOf('=')
    return [f.slice(0, at).trim(), f.slice(at + 1).trim()] as [string, string]
  }))
  const credential = fields.get('Credential')
  const signedList = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (!credential || !signedList || !signature) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.')
  const scope = parseCredential(state, credential, fail)
  const amzDate = req.headers.get('x-amz-date')
  const signedAt = parseAmzDate(amzDate) ?? (req.headers.has('date') ? Date.parse(req.headers.get('date')!) : undefined)
  if (signedAt === undefined || Number.isNaN(signedAt)) throw errors.accessDenied('AWS authentication requires a valid Date or x-amz-date header')
  const dateText = amzDate ?? new Date(signedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
  if (dateText.slice(0, 8) !== scope.day) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.')
  const payload = req.headers.get('x-amz-content-sha256')
  if (payload === undefined) throw errors.invalidRequest('Missing required header for this request: x-amz-content-sha256')
  const principal = principalFor(state, scope.accessKeyId)
  const now = state.now()
  if (Math.abs(now - signedAt) > SKEW_MS) {
    throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: new Date(signedAt).toUTCString(), ServerTime: new Date(now).toISOString(), MaxAllowedSkewMilliseconds: String(SKEW_MS) })
  }
  const signed = signedList.split(';')
  if (!signed.includes('host')) throw errors.accessDenied('There were headers present in the request which were not signed', { HeadersNotSigned: 'host' })
  verify(principal, req, scope, dateText, signed, payload, signature)
  const signedSet = new Set(signed)
  checkAllSigned(req, signedSet)
  return { principal, type: 'REST-HEADER', signedHeaders: signedSet, signatureAgeMs: now - signedAt, payloadHash: payload }
}

/** Who sent the request, proven, or an S3Error. A POST Object form is authenticated by post.ts instead. */
export function authenticate(state: State, req: S3Request): Auth {
  const header = req.headers.get('authorization')
  const inQuery = req.query.some(([k]) => k === 'X-Amz-Algorithm' || k === 'X-Amz-Credential' || k === 'X-Amz-Signature')
  if (header !== undefined && inQuery) throw errors.invalidArgument('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', 'Authorization', header)
  if (header !== undefined) return headerAuth(state, req, header)
  if (inQuery) {
    const first = (name: string) => req.query.find(([k]) => k === name)?.[1]
    return queryAuth(state, req, first)
  }
  if (req.query.some(([k]) => k === 'Signature' || k === 'AWSAccessKeyId')) {
    throw errors.invalidRequest('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.')
  }
  return { principal: undefined, type: 'anonymous', signedHeaders: new Set() }
}

export const sha256 = sha256Hex
