// Who may do what: IAM's evaluation of a principal's identity policies (what signerPolicy() generates,
// and hand-written ones): Action/NotAction, Resource/NotResource with wildcards and policy variables,
// and Condition (permissions-conditions.ts). An explicit Deny wins, then any Allow; otherwise the
// implicit deny. The root (bucket owner) may do everything.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { checkOperator, conditionHolds, wildcard, type ConditionKeys } from './permissions-conditions.js'
import type { Auth } from './sigv4.js'
import type { Principal } from './state.js'

export type { ConditionKeys }

export interface Statement {
  Effect?: string
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  NotResource?: string | string[]
  Condition?: Record<string, Record<string, string | string[] | number | boolean>>
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const statementsOf = (policy: unknown): Statement[] => {
  const raw = (policy as { Statement?: unknown } | undefined)?.Statement
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[]
}
const VARIABLE = /\$\{([^}]+)\}/g
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' }

/**
 * A Resource pattern as a RegExp: `*` and `?` wildcards, `${key}` replaced by the request's value (matched
 * literally), `${*}` `${?}` `${$}` as the characters. undefined when a variable has no value: the element
 * then matches nothing, as IAM documents for policy variables.
 */
function resourcePattern(pattern: string, keys: ConditionKeys): RegExp | undefined {
  let source = ''
  let at = 0
  for (const m of pattern.matchAll(VARIABLE)) {
    source += globbed(pattern.slice(at, m.index))
    const name = m[1]!
    const value = ESCAPES[name] ?? keys[name.toLowerCase()]
    if (value === undefined) return undefined
    source += value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    at = m.index! + m[0].length
  }
  return new RegExp(`^${source}${globbed(pattern.slice(at))}$`, 's')
}
const globbed = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')

/** A condition value with its policy variables replaced; undefined when one has no value. */
function conditionValue(value: string, keys: ConditionKeys): string | undefined {
  let missing = false
  const out = value.replace(VARIABLE, (_, name: string) => ESCAPES[name] ?? keys[name.toLowerCase()] ?? ((missing = true), ''))
  return missing ? undefined : out
}

function applies(s: Statement, action: string, resource: string, keys: ConditionKeys): boolean {
  const anyAction = (v: unknown) => list(v).some((p) => wildcard(p, action, true))
  const anyResource = (v: unknown) => list(v).some((p) => resourcePattern(p, keys)?.test(resource) === true)
  if (s.Action !== undefined && !anyAction(s.Action)) return false
  if (s.NotAction !== undefined && anyAction(s.NotAction)) return false
  if (s.Resource !== undefined && !anyResource(s.Resource)) return false
  if (s.NotResource !== undefined && anyResource(s.NotResource)) return false
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    for (const [key, value] of Object.entries(entries)) {
      const expected = list(value).map((v) => conditionValue(v, keys)).filter((v): v is string => v !== undefined)
      if (!conditionHolds(operator, key, expected, keys)) return false
    }
  }
  return true
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny'

export function evaluate(principal: Principal, action: string, resource: string, keys: ConditionKeys): Decision {
  if (principal.policies === undefined) return 'allow'
  let allowed = false
  for (const policy of principal.policies) {
    for (const s of statementsOf(policy)) {
      if (!applies(s, action, resource, keys)) continue
      if (s.Effect === 'Deny') return 'explicit-deny'
      if (s.Effect === 'Allow') allowed = true
    }
  }
  return allowed ? 'allow' : 'implicit-deny'
}

/** Throws a TypeError for a policy IAM would refuse (an Effect or condition operator it does not know). */
export function checkPolicies(name: string, policies: readonly unknown[]): void {
  for (const s of policies.flatMap(statementsOf)) {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new TypeError(`addPrincipal("${name}"): a statement's Effect is ${JSON.stringify(s.Effect)}; it must be "Allow" or "Deny"`)
    for (const operator of Object.keys(s.Condition ?? {})) {
      try {
        checkOperator(operator)
      } catch (error) {
        throw new TypeError(`addPrincipal("${name}"): ${(error as Error).message}`)
      }
    }
  }
}

export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`

/** The condition keys every request has: who signed it and how, how old its signature is, the time, the network. */
/** `now`: the test S3's clock (its `now` option), so aws:CurrentTime agrees with signature expiry. */
export function baseKeys(auth: Auth, now: number): ConditionKeys {
  const p = auth.principal
  const user = p?.policies === undefined ? undefined : p.name
  return {
    'aws:username': user,
    'aws:userid': p?.accessKeyId,
    'aws:principalarn': p?.arn,
    'aws:principalaccount': p ? '000000000000' : undefined,
    'aws:principaltype': p ? (user === undefined ? 'Account' : 'User') : 'Anonymous',
    'aws:currenttime': new Date(now).toISOString(),
    'aws:epochtime': String(Math.floor(now / 1000)),
    's3:authtype': auth.type === 'anonymous' ? undefined : auth.type,
    's3:signatureage': auth.signatureAgeMs === undefined ? undefined : String(auth.signatureAgeMs),
    's3:signatureversion': auth.type === 'anonymous' ? undefined : 'AWS4-HMAC-SHA256',
    'aws:securetransport': 'false',
    'aws:sourceip': '127.0.0.1',
  }
}
