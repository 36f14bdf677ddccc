// Faults for users' retry tests: the next N matching requests fail with 500/503, wait, or lose
// their connection.
import type { TestS3Fault } from './types.js'
import type { S3Request } from './request.js'

interface Pending extends TestS3Fault {
  left: number
}

export class Faults {
  private readonly queue: Pending[] = []

  inject(fault: TestS3Fault): void {
    const count = fault.count ?? 1
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`faults.inject: \`count\` is ${String(fault.count)}; it must be a whole number of requests, at least 1`)
    if (fault.status !== undefined && fault.status !== 500 && fault.status !== 503) throw new TypeError(`faults.inject: \`status\` is ${String(fault.status)}; it must be 500 or 503`)
    if (fault.delayMs !== undefined && !(Number.isFinite(fault.delayMs) && fault.delayMs >= 0)) throw new TypeError(`faults.inject: \`delayMs\` is ${String(fault.delayMs)}; it must be a number of ms, at least 0`)
    if (fault.status === undefined && fault.delayMs === undefined && !fault.drop) throw new TypeError('faults.inject: a fault needs `status`, `delayMs` or `drop`')
    this.queue.push({ ...fault, left: count })
  }

  clear(): void {
    this.queue.length = 0
  }

  get pending(): number {
    return this.queue.reduce((n, f) => n + f.left, 0)
  }

  /** The fault for this request, used up by one; undefined when none matches. */
  take(req: S3Request, operation: string): TestS3Fault | undefined {
    const i = this.queue.findIndex((f) => matches(f, req, operation))
    if (i < 0) return undefined
    const fault = this.queue[i]!
    if (--fault.left === 0) this.queue.splice(i, 1)
    return fault
  }
}

function matches(f: TestS3Fault, req: S3Request, operation: string): boolean {
  const m = f.match
  if (!m) return true
  if (m.method !== undefined && m.method.toUpperCase() !== req.method) return false
  if (m.bucket !== undefined && m.bucket !== req.bucket) return false
  if (m.operation !== undefined && m.operation !== operation) return false
  if (m.key !== undefined) {
    if (req.key === undefined) return false
    if (typeof m.key === 'string' ? m.key !== req.key : !m.key.test(req.key)) return false
  }
  return true
}
