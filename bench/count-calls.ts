// A wrapper that counts calls to each OwnershipStore method, for the store section's own check
// that one grant is one store call and one presignMany batch is one store call, and times each
// call, so that the bench can show how much of an operation's latency is the store's.
import type { OwnershipStore } from '../src/stores/types.js'

// A Record over the interface's keys: a method added to OwnershipStore fails the typecheck here
// until it is counted too.
const METHODS: Record<keyof OwnershipStore, true> = {
  create: true,
  get: true,
  getMany: true,
  transition: true,
  delete: true,
  putTicket: true,
  consumeTicket: true,
  sweep: true,
}

export interface CountedStore {
  store: OwnershipStore
  /** Calls per method since the last reset; methods never called are absent. */
  counts(): Map<keyof OwnershipStore, number>
  /** How long each store call since the last reset took until its promise settled, ns, ascending. */
  durations(): Float64Array
  reset(): void
}

/**
 * `store`, with every method call counted and timed. The wrapper adds a function call, two clock
 * reads and a promise callback per store call: well under a microsecond.
 */
export function countCalls(store: OwnershipStore): CountedStore {
  const counts = new Map<keyof OwnershipStore, number>()
  let durations: number[] = []
  const wrapped = {} as Record<keyof OwnershipStore, (...args: unknown[]) => Promise<unknown>>
  for (const method of Object.keys(METHODS) as (keyof OwnershipStore)[]) {
    const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store)
    wrapped[method] = (...args) => {
      counts.set(method, (counts.get(method) ?? 0) + 1)
      const t0 = process.hrtime.bigint()
      const settled = () => void durations.push(Number(process.hrtime.bigint() - t0))
      const result = original(...args)
      result.then(settled, settled)
      return result
    }
  }
  return {
    store: wrapped as unknown as OwnershipStore,
    counts: () => new Map(counts),
    durations: () => Float64Array.from(durations).sort(),
    reset: () => {
      counts.clear()
      durations = []
    },
  }
}
