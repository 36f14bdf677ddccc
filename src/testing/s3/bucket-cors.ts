// PutBucketCors's document, validated as S3 does, and GetBucketCors's answer.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CORSRule.html. The messages for an unsupported
// method and a second wildcard are S3's as recorded (LocalStack's AWS-validated snapshots; versitygw
// issue 1870); the limits without a recorded error (100 rules, 64 KB, 255-character IDs) answer
// MalformedXML / InvalidArgument.
import { elements, onlyElements, single, texts } from './bucket-xml.js'
import { CORS_METHODS } from './cors.js'
import { errors } from './errors.js'
import type { CorsRule } from './state.js'
import { buildXml, parseXml } from './xml.js'

export const MAX_CORS_RULES = 100
export const MAX_CORS_BYTES = 64 * 1024
const RULE_ELEMENTS = ['ID', 'AllowedMethod', 'AllowedOrigin', 'AllowedHeader', 'ExposeHeader', 'MaxAgeSeconds']

const wildcards = (s: string) => s.split('*').length - 1

function parseRule(node: Parameters<typeof onlyElements>[0]): CorsRule {
  onlyElements(node, RULE_ELEMENTS)
  const allowedMethods = texts(node, 'AllowedMethod')
  const allowedOrigins = texts(node, 'AllowedOrigin')
  // "Each CORSRule must identify at least one origin and one method."
  if (allowedMethods.length === 0 || allowedOrigins.length === 0) throw errors.malformedXml()
  for (const method of allowedMethods) {
    if (!CORS_METHODS.includes(method)) throw errors.invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`)
  }
  for (const origin of allowedOrigins) {
    if (wildcards(origin) > 1) throw errors.invalidRequest(`AllowedOrigin "${origin}" can not have more than one wildcard.`)
  }
  const allowedHeaders = texts(node, 'AllowedHeader')
  for (const header of allowedHeaders) {
    if (wildcards(header) > 1) throw errors.invalidRequest(`AllowedHeader "${header}" can not have more than one wildcard.`)
  }
  const exposeHeaders = texts(node, 'ExposeHeader')
  for (const header of exposeHeaders) {
    if (header.includes('*')) throw errors.invalidRequest(`ExposeHeader "${header}" contains wildcard. We currently do not support wildcard for ExposeHeader.`)
  }
  const id = single(node, 'ID')
  if (id !== undefined && id.length > 255) throw errors.invalidArgument('The ID of a CORS rule cannot be longer than 255 characters.', 'ID', id.slice(0, 64))
  const maxAge = single(node, 'MaxAgeSeconds')
  // An xsd:int; a negative one would tell browsers nothing (unrecorded on S3).
  if (maxAge !== undefined && !/^\d{1,10}$/.test(maxAge)) throw errors.malformedXml()
  return { id, allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders, maxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge) }
}

export function parseCorsConfiguration(body: Uint8Array): CorsRule[] {
  if (body.byteLength > MAX_CORS_BYTES) throw errors.malformedXml()
  const doc = parseXml(body, 'CORSConfiguration')
  onlyElements(doc, ['CORSRule'])
  const rules = elements(doc, 'CORSRule')
  if (rules.length === 0 || rules.length > MAX_CORS_RULES) throw errors.malformedXml()
  return rules.map(parseRule)
}

/** GetBucketCors: the rules as stored, members in the schema's order, only those that were set. */
export function corsXml(rules: readonly CorsRule[]): string {
  return buildXml('CORSConfiguration', {
    CORSRule: rules.map((r) => ({
      AllowedHeader: r.allowedHeaders,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders,
      ID: r.id,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  })
}
