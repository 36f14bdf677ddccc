// IAM condition operators, as the IAM reference documents them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
// String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress (CIDR), Arn*, Null, each with
// ...IfExists, and the ForAnyValue:/ForAllValues: set qualifiers. A key the request does not have makes a
// negated operator true and the others false, unless IfExists. An operator outside this list is refused
// when the policy is given (checkOperator), never silently skipped.

/** The request's condition keys (lower-case names), as IAM sees them for this request. */
export type ConditionKeys = Record<string, string | undefined>

/** IAM wildcards: `*` any run of characters, `?` one character. */
export function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value)
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined
  return m.slice(1).reduce((n, o) => n * 256 + Number(o), 0)
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits = '32'] = cidr.split('/') as [string, string?]
  const a = ipv4(ip)
  const b = ipv4(base)
  const n = Number(bits)
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0
  return ((a & mask) >>> 0) === ((b & mask) >>> 0)
}

const time = (v: string) => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v))

type Test = (actual: string, expected: string) => boolean
const TESTS: Record<string, Test> = {
  StringEquals: (a, e) => a === e,
  StringNotEquals: (a, e) => a === e,
  StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringNotEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringLike: (a, e) => wildcard(e, a, false),
  StringNotLike: (a, e) => wildcard(e, a, false),
  NumericEquals: (a, e) => Number(a) === Number(e),
  NumericNotEquals: (a, e) => Number(a) === Number(e),
  NumericLessThan: (a, e) => Number(a) < Number(e),
  NumericLessThanEquals: (a, e) => Number(a) <= Number(e),
  NumericGreaterThan: (a, e) => Number(a) > Number(e),
  NumericGreaterThanEquals: (a, e) => Number(a) >= Number(e),
  DateEquals: (a, e) => time(a) === time(e),
  DateNotEquals: (a, e) => time(a) === time(e),
  DateLessThan: (a, e) => time(a) < time(e),
  DateLessThanEquals: (a, e) => time(a) <= time(e),
  DateGreaterThan: (a, e) => time(a) > time(e),
  DateGreaterThanEquals: (a, e) => time(a) >= time(e),
  Bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
  BinaryEquals: (a, e) => Buffer.from(a).toString('base64') === e,
  IpAddress: (a, e) => inCidr(a, e),
  NotIpAddress: (a, e) => inCidr(a, e),
  ArnEquals: (a, e) => wildcard(e, a, false),
  ArnLike: (a, e) => wildcard(e, a, false),
  ArnNotEquals: (a, e) => wildcard(e, a, false),
  ArnNotLike: (a, e) => wildcard(e, a, false),
}
// The negated operators: true when no expected value matches, and when the key is absent.
const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike'])

function parse(operator: string): { base: string; ifExists: boolean; set?: 'any' | 'all' } {
  let rest = operator
  let set: 'any' | 'all' | undefined
  if (rest.startsWith('ForAnyValue:')) [set, rest] = ['any', rest.slice('ForAnyValue:'.length)]
  else if (rest.startsWith('ForAllValues:')) [set, rest] = ['all', rest.slice('ForAllValues:'.length)]
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists'
  return { base: ifExists ? rest.slice(0, -'IfExists'.length) : rest, ifExists, set }
}

/** Throws a TypeError naming an operator IAM would refuse, so a policy is never half evaluated. */
export function checkOperator(operator: string): void {
  const { base, ifExists } = parse(operator)
  if (base === 'Null' ? ifExists : !(base in TESTS)) throw new TypeError(`the condition operator "${operator}" is not one IAM documents`)
}

/** One condition key against its expected values, under `operator`. */
export function conditionHolds(operator: string, key: string, expected: string[], keys: ConditionKeys): boolean {
  const { base, ifExists, set } = parse(operator)
  const actual = keys[key.toLowerCase()]
  if (base === 'Null') return (actual === undefined) === (expected[0]?.toLowerCase() === 'true')
  if (actual === undefined) {
    // ForAllValues over an empty set is true; ForAnyValue is false; a negated operator is true.
    if (set === 'all') return true
    if (set === 'any') return false
    return ifExists || NEGATED.has(base)
  }
  const test = TESTS[base]!
  const matches = expected.some((e) => test(actual, e))
  return NEGATED.has(base) ? !matches : matches
}
