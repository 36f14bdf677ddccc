// IP address syntax for policy conditions (aws:SourceIp), without node:net, so the core runs on any
// runtime. Reads what net.isIP reads, except an IPv6 zone ("fe80::1%eth0"): IAM's CIDR blocks have
// none, so one is refused rather than written into a policy AWS would not match.

const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/
const HEXTET = /^[0-9a-fA-F]{1,4}$/

export function isIPv4(text: string): boolean {
  const parts = text.split('.')
  return parts.length === 4 && parts.every((p) => OCTET.test(p))
}

export function isIPv6(text: string): boolean {
  const halves = text.split('::')
  if (halves.length > 2) return false
  const groups = (half: string) => (half === '' ? [] : half.split(':'))
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  const all = [...head, ...tail]
  // A dotted IPv4 may stand for the last two groups ("::ffff:192.0.2.1"), and only at the very end.
  const last = all[all.length - 1]
  const v4 = last !== undefined && last.includes('.')
  if (v4 && text.endsWith('::')) return false
  if (v4 && !isIPv4(last)) return false
  const hextets = v4 ? all.slice(0, -1) : all
  if (!hextets.every((g) => HEXTET.test(g))) return false
  const count = hextets.length + (v4 ? 2 : 0)
  // With '::' at least one group is elided; without it, all eight are written.
  return halves.length === 2 ? count <= 7 : count === 8
}

/** 4 or 6 for an IPv4 or IPv6 address, 0 for anything else, like net.isIP (zones excepted). */
export function ipFamily(text: string): 0 | 4 | 6 {
  return isIPv4(text) ? 4 : isIPv6(text) ? 6 : 0
}
