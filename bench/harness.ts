// Timing and reporting for bench/run.ts: a fixed iteration count timed with process.hrtime.bigint,
// each case run several times (interleaved with the other cases, so drift hits them all alike),
// the median reported.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

export interface Case {
  name: string
  /** Links (or grants) produced by one call of `op`; presignMany produces one per key. */
  perCall: number
  /** Calls per timed run. */
  calls: number
  /** Builds a fresh operation for one run (a fresh store, for example). */
  setup(): Promise<Op> | Op
}

export interface Op {
  run(i: number): Promise<unknown>
  /** Called after the run's heap was measured: release the run's state. */
  teardown?(): Promise<void> | void
}

export interface Sample {
  nsPerItem: number
  /** heapUsed after a forced GC, before and after the run, with the run's state still alive. */
  heapBefore: number
  heapAfter: number
}

export interface Result {
  name: string
  perCall: number
  calls: number
  samples: Sample[]
  median: Sample
}

// A forced GC makes the heap figures mean "retained", not "not yet collected". Without
// `--expose-gc` on the command line, expose it now: new contexts then get a `gc` global.
setFlagsFromString('--expose-gc')
const gc = ((globalThis as { gc?: () => void }).gc ?? runInNewContext('typeof gc === "function" ? gc : undefined')) as (() => void) | undefined
export const canGc = gc !== undefined

function heapUsed(): number {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

async function once(c: Case, calls: number): Promise<Sample> {
  const op = await c.setup()
  const heapBefore = heapUsed()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) await op.run(i)
  const ns = Number(process.hrtime.bigint() - t0)
  const heapAfter = heapUsed()
  await op.teardown?.()
  return { nsPerItem: ns / (calls * c.perCall), heapBefore, heapAfter }
}

export async function runAll(cases: Case[], rounds: number, warmupFraction: number, onRound?: (round: number) => void): Promise<Result[]> {
  // Warm-up: JIT, the signing-key cache, the endpoint cache. Not timed.
  for (const c of cases) await once(c, Math.max(1, Math.ceil(c.calls * warmupFraction)))
  const samples = new Map<Case, Sample[]>(cases.map((c) => [c, []]))
  for (let round = 1; round <= rounds; round++) {
    onRound?.(round)
    for (const c of cases) samples.get(c)!.push(await once(c, c.calls))
  }
  return cases.map((c) => {
    const all = samples.get(c)!
    const sorted = [...all].sort((a, b) => a.nsPerItem - b.nsPerItem)
    return { name: c.name, perCall: c.perCall, calls: c.calls, samples: all, median: sorted[Math.floor(sorted.length / 2)]! }
  })
}

export const opsPerSec = (s: Sample): number => 1e9 / s.nsPerItem
export const micros = (s: Sample): number => s.nsPerItem / 1000

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const dec = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
export const fmtInt = (n: number): string => int.format(n)
export const fmtDec = (n: number, digits = 1): string => dec(digits).format(n)
export const fmtMB = (bytes: number): string => `${dec(1).format(bytes / 1024 / 1024)} MB`

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}
