// A narrow CORS configuration for risk 11: browsers of your own origins may send exactly the requests
// and headers safe-presign's grants ask for, and nothing else.
import type { CORSConfiguration } from '@aws-sdk/client-s3'
import { invalid, isPositiveInteger } from '../_internal/validate.js'

/**
 * The request headers a grant can tell a browser to send (Content-Length is set by the browser and
 * never preflighted). A browser's preflight lists them; S3 refuses a preflight with any other.
 */
export const CORS_ALLOWED_HEADERS: readonly string[] = ['content-type', 'content-md5', 'x-amz-checksum-sha256', 'if-none-match', 'x-amz-meta-filename', 'x-amz-acl']

/** The methods a CORS rule may allow: what grants and links use, plus HEAD. */
export const CORS_METHODS = ['PUT', 'POST', 'GET', 'HEAD'] as const
export type CorsMethod = (typeof CORS_METHODS)[number]

/** Browsers cap a cached preflight well below this (Chromium: 2 h); more only delays a fix. */
export const MAX_CORS_MAX_AGE_SECONDS = 86_400

export interface CorsOptions {
  /**
   * Exact origins, `scheme://host[:port]` as a browser sends them: https, or http for localhost and
   * 127.0.0.1 only. No `*`, no wildcard subdomains, no path.
   * @example ['https://app.example.com', 'http://localhost:3000']
   */
  origins: readonly string[]
  /** @default ['PUT', 'POST', 'GET'] */
  methods?: readonly CorsMethod[]
  /** How long a browser may cache a preflight, in seconds. @default 600 */
  maxAgeSeconds?: number
  /** The rule's ID. @default 'safe-presign' */
  id?: string
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Why `origin` is not an exact, safe origin, or undefined when it is one. */
export function originProblem(origin: unknown): string | undefined {
  if (typeof origin !== 'string') return 'it must be a string'
  if (origin.includes('*')) return 'wildcards are refused: list each origin exactly'
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return 'it must be an origin such as "https://app.example.com"'
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    return 'it must use https (http only for localhost and 127.0.0.1)'
  }
  // A browser sends the serialized origin: lower-case host, no default port, no path. Anything else
  // would never match, or is a URL where an origin was meant.
  if (url.origin !== origin) return `it must be exactly the origin a browser sends (${JSON.stringify(url.origin)})`
  return undefined
}

/**
 * A CORSConfiguration for PutBucketCors: one rule for your exact origins, the grant's methods, exactly
 * the headers grants make clients send ({@link CORS_ALLOWED_HEADERS}), and `ETag` exposed.
 * @example
 * await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: corsConfiguration({ origins: ['https://app.example.com'] }) }))
 */
export function corsConfiguration(options: CorsOptions): CORSConfiguration {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, 'corsConfiguration needs { origins }')
  const { origins } = options
  if (!Array.isArray(origins) || origins.length === 0) invalid('INVALID_CONFIG', 'origins', origins, 'it must be a non-empty array of exact origins')
  for (const origin of origins) {
    const problem = originProblem(origin)
    if (problem) invalid('INVALID_CONFIG', 'origins', origin, problem)
  }
  const methods = options.methods ?? ['PUT', 'POST', 'GET']
  if (!Array.isArray(methods) || methods.length === 0) invalid('INVALID_CONFIG', 'methods', methods, `it must be a non-empty array of ${CORS_METHODS.join(', ')}`)
  for (const method of methods) {
    if (!(CORS_METHODS as readonly string[]).includes(method)) {
      invalid('INVALID_CONFIG', 'methods', method, `the allowed methods are ${CORS_METHODS.join(', ')} (no grant uses any other)`)
    }
  }
  const maxAge = options.maxAgeSeconds ?? 600
  if (!isPositiveInteger(maxAge)) invalid('INVALID_CONFIG', 'maxAgeSeconds', maxAge, 'it must be a whole number of seconds above 0')
  if (maxAge > MAX_CORS_MAX_AGE_SECONDS) {
    invalid('INVALID_CONFIG', 'maxAgeSeconds', maxAge, `the maximum is ${MAX_CORS_MAX_AGE_SECONDS} s (1 day)`, { limit: MAX_CORS_MAX_AGE_SECONDS })
  }
  const id = options.id ?? 'safe-presign'
  if (typeof id !== 'string' || id === '' || id.length > 255) invalid('INVALID_CONFIG', 'id', id, 'it must be a string of 1 to 255 characters')
  return {
    CORSRules: [
      {
        ID: id,
        AllowedOrigins: [...new Set(origins)],
        AllowedMethods: [...new Set(methods)],
        AllowedHeaders: [...CORS_ALLOWED_HEADERS],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: maxAge,
      },
    ],
  }
}
