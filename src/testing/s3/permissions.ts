// Who may do what: IAM's evaluation of a principal's identity policies, for the statements IAM
// policies for S3 use (what signerPolicy() generates among them). An explicit Deny wins, then any
// Allow; otherwise the implicit deny. The root (bucket owner) may do everything.
import type { Auth } from './sigv4.js'
import type { Principal } from './state.js'

export interface Statement {
  Effect?: string
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  NotResource?: string | string[]
  Condition?: Record<string, Record<string, string | string[] | number | boolean>>
}

/** The request's condition keys (lower-case names), as IAM sees them for this request. */
export type ConditionKeys = Record<string, string | undefined>

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])

/** IAM wildcards: `*` any run of characters, `?` one character. */
function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value)
}

const matchesAny = (patterns: string[], value: string, ci: boolean) => patterns.some((p) => wildcard(p, value, ci))

function conditionHolds(operator: string, key: string, expected: string[], keys: ConditionKeys): boolean {
  const ifExists = operator.endsWith('IfExists')
  const op = ifExists ? operator.slice(0, -'IfExists'.length) : operator
  const actual = keys[key.toLowerCase()]
  if (op === 'Null') return (actual === undefined) === (expected[0] === 'true')
  if (actual === undefined) return ifExists
  switch (op) {
    case 'StringEquals': return expected.includes(actual)
    case 'StringNotEquals': return !expected.includes(actual)
    case 'StringEqualsIgnoreCase': return expected.some((e) => e.toLowerCase() === actual.toLowerCase())
    case 'StringLike': return expected.some((e) => wildcard(e, actual, false))
    case 'StringNotLike': return !expected.some((e) => wildcard(e, actual, false))
    case 'NumericEquals': return expected.some((e) => Number(actual) === Number(e))
    case 'NumericNotEquals': return expected.every((e) => Number(actual) !== Number(e))
    case 'NumericLessThan': return expected.some((e) => Number(actual) < Number(e))
    case 'NumericLessThanEquals': return expected.some((e) => Number(actual) <= Number(e))
    case 'NumericGreaterThan': return expected.some((e) => Number(actual) > Number(e))
    case 'NumericGreaterThanEquals': return expected.some((e) => Number(actual) >= Number(e))
    case 'Bool': return expected.includes(actual)
    case 'IpAddress': return expected.some((e) => e === actual || e === `${actual}/32` || e === '0.0.0.0/0' || (e.startsWith('127.') && actual.startsWith('127.')))
    case 'NotIpAddress': return !expected.some((e) => e === actual || e === `${actual}/32` || e === '0.0.0.0/0' || (e.startsWith('127.') && actual.startsWith('127.')))
    default: return false // an operator IAM would not know either: the statement does not apply
  }
}

function applies(s: Statement, action: string, resource: string, keys: ConditionKeys): boolean {
  if (s.Action !== undefined && !matchesAny(list(s.Action), action, true)) return false
  if (s.NotAction !== undefined && matchesAny(list(s.NotAction), action, true)) return false
  if (s.Resource !== undefined && !matchesAny(list(s.Resource), resource, false)) return false
  if (s.NotResource !== undefined && matchesAny(list(s.NotResource), resource, false)) return false
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(entries)) if (!conditionHolds(operator, key, list(value), keys)) return false
  }
  return true
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny'

export function evaluate(principal: Principal, action: string, resource: string, keys: ConditionKeys): Decision {
  if (principal.policies === undefined) return 'allow'
  let allowed = false
  for (const policy of principal.policies) {
    const raw = (policy as { Statement?: unknown }).Statement
    const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[]
    for (const s of statements) {
      if (!applies(s, action, resource, keys)) continue
      if (s.Effect === 'Deny') return 'explicit-deny'
      if (s.Effect === 'Allow') allowed = true
    }
  }
  return allowed ? 'allow' : 'implicit-deny'
}

export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`

/** The condition keys every request has: how it was authenticated, how old its signature is, the network. */
export function baseKeys(auth: Auth): ConditionKeys {
  return {
    's3:authtype': auth.type === 'anonymous' ? undefined : auth.type,
    's3:signatureage': auth.signatureAgeMs === undefined ? undefined : String(auth.signatureAgeMs),
    's3:signatureversion': auth.type === 'anonymous' ? undefined : 'AWS4-HMAC-SHA256',
    'aws:securetransport': 'false',
    'aws:sourceip': '127.0.0.1',
  }
}
