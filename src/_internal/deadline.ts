// Bounds one store operation in time, and turns whatever went wrong into STORE_UNAVAILABLE.
// Used by the network-backed stores (PostgreSQL, DynamoDB): a store that hangs must fail closed
// within its `timeoutMs`, never leave a request waiting on a dead backend.
import { isSafePresignError, SafePresignError } from '../errors.js'

/** The reason a deadline aborts its signal with. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded'
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`)
  }
}

/**
 * Runs `work` with a signal that aborts after `timeoutMs`, and rejects with DeadlineExceeded at
 * that moment even if `work` ignores the signal. `work` must release what it holds on abort.
 */
export async function withDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new DeadlineExceeded(timeoutMs)
      controller.abort(reason)
      reject(reason)
    }, timeoutMs)
  })
  const running = (async () => work(controller.signal))()
  // When the deadline wins, `running` still settles later (usually with an abort error): expected.
  running.catch(() => {})
  try {
    return await Promise.race([running, expired])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The STORE_UNAVAILABLE error for `store.operation`: the message names the operation and
 * `timeoutMs`; the backend's own error is the `cause`. A SafePresignError passes through.
 */
export function storeUnavailable(store: string, operation: string, timeoutMs: number, cause: unknown, hint?: string): SafePresignError {
  if (isSafePresignError(cause)) return cause
  const what = `${store}.${operation}`
  const why =
    cause instanceof DeadlineExceeded
      ? `no answer within timeoutMs (${timeoutMs} ms)`
      : `${errorMessage(cause)} (timeoutMs is ${timeoutMs} ms)`
  return new SafePresignError('STORE_UNAVAILABLE', `${what} failed: ${why}${hint ? `; ${hint}` : ''}`, {
    cause,
    details: { store, operation, timeoutMs },
  })
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // AggregateError (a refused dual-stack connect) has an empty message and the reasons inside.
    const inner = error instanceof AggregateError ? error.errors.map(errorMessage).join('; ') : ''
    return error.message || inner || error.name
  }
  return String(error)
}

/** setTimeout's largest delay; a longer one fires at once (Node clamps it to 1 ms). */
export const MAX_TIMEOUT_MS = 2_147_483_647

/** Shared option check: a whole number of milliseconds above 0, at most MAX_TIMEOUT_MS. */
export function checkTimeoutMs(store: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_TIMEOUT_MS) return value
  throw new SafePresignError(
    'INVALID_CONFIG',
    `${store}: \`timeoutMs\` is ${JSON.stringify(value) ?? String(value)}; it must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
    { details: { option: 'timeoutMs', value: String(value), limit: MAX_TIMEOUT_MS } },
  )
}
