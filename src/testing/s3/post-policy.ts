// The POST policy: its document (base64 JSON with `expiration` and `conditions`), the three kinds of
// condition, and AWS's rule that every form field is named by one. A malformed document is 400
// InvalidPolicyDocument; a form the policy does not allow is 403 AccessDenied "Invalid according to
// Policy: …"; a file outside content-length-range is 400 EntityTooSmall / EntityTooLarge.
// AWS: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
// The messages are those S3 answers on the wire (captured in SDK and library issues), where the
// documentation's error table differs.
import { S3Error, errors } from './errors.js'

type FieldCondition = { kind: 'eq' | 'starts-with'; /** lower-case, without '$'; undefined when the name lacks its '$' */ field: string | undefined; value: string; shown: string }
type RangeCondition = { kind: 'range'; min: number | undefined; max: number | undefined; shown: string }
export type PolicyCondition = FieldCondition | RangeCondition

export interface PostPolicy {
  expiration: number
  conditions: PolicyCondition[]
}

const invalid = (detail: string) => new S3Error(400, 'InvalidPolicyDocument', `Invalid Policy: ${detail}`)
const notJson = () => invalid('Invalid JSON.')
const refused = (detail: string) => errors.accessDenied(`Invalid according to Policy: ${detail}`)
// As S3 prints a condition in its message: JSON items, ", " between them; `{k: v}` as ["eq", "$k", v].
const show = (items: unknown[]) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`

// ISO 8601 in UTC, with or without fractional seconds; S3 refuses an offset or a space for the T.
const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/

/** Decodes and validates the policy text; only ever called once its signature has been verified. */
export function parsePolicy(base64: string): PostPolicy {
  const compact = base64.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw invalid('invalid Base64 encoding.')
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64')))
  } catch {
    throw notJson()
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw notJson()
  const record = doc as Record<string, unknown>
  // Member names are case-sensitive: "EXPIRATION" is not the expiration (ceph s3-tests agree).
  const unexpected = Object.keys(record).find((k) => k !== 'expiration' && k !== 'conditions')
  if (unexpected !== undefined) throw invalid(`Unexpected: '${unexpected.toLowerCase()}'`)
  if (!('expiration' in record)) throw invalid('Policy missing expiration.')
  const expiration = record.expiration
  const at = typeof expiration === 'string' && EXPIRATION.test(expiration) ? Date.parse(expiration) : NaN
  if (Number.isNaN(at)) throw invalid(`Invalid 'expiration' value: '${String(expiration)}'`)
  if (!('conditions' in record)) throw invalid('Policy missing conditions.')
  if (!Array.isArray(record.conditions)) throw invalid("Invalid 'conditions' value: must be a List.")
  return { expiration: at, conditions: record.conditions.map(parseCondition) }
}

function parseCondition(c: unknown): PolicyCondition {
  if (c === null || typeof c !== 'object') throw invalid('Invalid condition test: must be a List or Object.')
  if (!Array.isArray(c)) {
    const entries = Object.entries(c)
    if (entries.length !== 1) throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.')
    const [name, value] = entries[0]!
    if (value === null) throw notJson()
    if (typeof value !== 'string') throw invalid('Invalid Simple-Condition: value must be a string.')
    return { kind: 'eq', field: name.toLowerCase(), value, shown: show(['eq', `$${name}`, value]) }
  }
  if (c.length === 0 || typeof c[0] !== 'string') throw invalid('Invalid Condition: missing operation identifier.')
  // Operators are matched case-insensitively, as ceph s3-tests expect; AWS documents lower case only.
  const op = c[0].toLowerCase()
  if (op !== 'eq' && op !== 'starts-with' && op !== 'content-length-range') throw invalid(`Invalid Condition: unknown operation '${c[0]}'.`)
  if (c.length !== 3) throw invalid(`Invalid ${op}: wrong number of arguments.`)
  if (op === 'content-length-range') return { kind: 'range', min: bound(c[1]), max: bound(c[2]), shown: show(c) }
  const [, name, value] = c
  if (typeof name !== 'string' || typeof value !== 'string') throw notJson()
  return { kind: op, field: name.startsWith('$') ? name.slice(1).toLowerCase() : undefined, value, shown: show(c) }
}

/** A size bound: an integer, or a string of digits (S3 takes both). undefined: one S3 cannot read, so the condition fails. */
function bound(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw notJson() // what S3 answers for [..., 0, 512.0]
    return v >= 0 ? v : undefined
  }
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined
}

// Fields the coverage rule exempts (SigV4 page): "except x-amz-signature, file, policy, and field names
// that have an x-ignore- prefix".
const exempt = (name: string) => name === 'x-amz-signature' || name === 'file' || name === 'policy' || name.startsWith('x-ignore-')

function holds(c: FieldCondition, values: ReadonlyMap<string, string>): boolean {
  // A condition on a field the form lacks fails, even `starts-with ""` (as S3 answered in the captures).
  const value = c.field === undefined ? undefined : values.get(c.field)
  if (value === undefined) return false
  if (c.kind === 'eq') return value === c.value
  // "Content-Types values for a starts-with condition that include commas are interpreted as lists.
  // Each value in the list must meet the condition"; every other field is one string.
  if (c.field === 'content-type') return value.split(',').every((v) => v.trimStart().startsWith(c.value))
  return value.startsWith(c.value)
}

/**
 * The policy's verdict on the form, in S3's order: expiry, each condition, then fields that no
 * condition names. `values` holds every field by lower-case name, with `bucket` set to the bucket the
 * form was posted to. The file's size is checked apart (checkSize), once the file is in.
 */
export function checkPolicy(policy: PostPolicy, values: ReadonlyMap<string, string>, sent: readonly string[], now: number): void {
  if (now > policy.expiration) throw refused('Policy expired.')
  for (const c of policy.conditions) {
    const ok = c.kind === 'range' ? c.min !== undefined && c.max !== undefined : holds(c, values)
    if (!ok) throw refused(`Policy Condition failed: ${c.shown}`)
  }
  const named = new Set(policy.conditions.flatMap((c) => (c.kind !== 'range' && c.field !== undefined ? [c.field] : [])))
  const extra = sent.filter((name) => !exempt(name) && !named.has(name))
  // Named in lower case, as S3 names them ("Extra input fields: content-type" for a Content-Type field).
  if (extra.length > 0) throw refused(`Extra input fields: ${extra.join(', ')}`)
}

/** content-length-range, each one, against the file's size in bytes (inclusive bounds). */
export function checkSize(policy: PostPolicy, size: number): void {
  for (const c of policy.conditions) {
    if (c.kind !== 'range') continue
    if (size < c.min!) throw errors.entityTooSmall(size, c.min!)
    if (size > c.max!) throw errors.entityTooLarge(size, c.max!)
  }
}
