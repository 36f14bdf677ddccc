// Exponential backoff for requests that may be retried (network errors and 5xx, never 4xx).
import { aborted, retryable } from './errors.js'

export interface RetryOptions {
  /** Further attempts after the first. */
  retries: number
  /** The first pause in ms, doubled after each failure. */
  retryDelay: number
  signal?: AbortSignal | undefined
}

/** Runs `attempt(0)`, then `attempt(1)`… while it throws a retryable error and retries remain. */
export async function withRetries<T>(options: RetryOptions, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (n >= options.retries || !retryable(error) || options.signal?.aborted) throw error
      await sleep(options.retryDelay * 2 ** n, options.signal)
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted())
    const done = () => {
      signal?.removeEventListener('abort', stop)
      resolve()
    }
    const timer = setTimeout(done, ms)
    const stop = () => {
      clearTimeout(timer)
      reject(aborted())
    }
    signal?.addEventListener('abort', stop, { once: true })
  })
}
