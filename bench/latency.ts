// Per-call latency for the store section of bench/run.ts: calls awaited one after another, each
// timed with process.hrtime.bigint, so that the p50 and p99 are of single calls, not of averages.

export interface Latency {
  calls: number
  /** Links produced by one call: 1, or the batch size for presignMany. */
  perCall: number
  /** Wall time of the whole timed loop, ns. */
  totalNs: number
  /** Every call's latency in ns, ascending. */
  sorted: Float64Array
}

/** Runs `run` `calls` times in sequence and records each call's latency. */
export async function timeCalls(calls: number, perCall: number, run: (i: number) => Promise<unknown>): Promise<Latency> {
  const each = new Float64Array(calls)
  const start = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint()
    await run(i)
    each[i] = Number(process.hrtime.bigint() - t0)
  }
  const totalNs = Number(process.hrtime.bigint() - start)
  return { calls, perCall, totalNs, sorted: each.sort() }
}

/** Nearest-rank percentile: the smallest latency that at least `p` % of calls stayed within. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** Links per second over the whole loop (for presignMany: keys per second). */
export const linksPerSec = (l: Latency): number => (l.calls * l.perCall * 1e9) / l.totalNs

/** `87 µs`, `1.42 ms`, `153 ms`, with the unit in every cell; `−3.80 ms` with `signed` and a negative value. */
export function fmtLatency(ns: number, signed = false): string {
  if (Number.isNaN(ns)) return '–'
  if (signed) return `${ns < 0 ? '−' : '+'}${fmtLatency(Math.abs(ns))}`
  const us = ns / 1000
  if (us < 1000) return `${Math.round(us)} µs`
  const ms = us / 1000
  return ms < 100 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`
}
