import { isSafePresignError, SafePresignError } from '../errors.js'

/**
 * Runs one store operation. Whatever goes wrong in the store (a rejection, a thrown error,
 * a non-SafePresignError) becomes STORE_UNAVAILABLE, so callers fail closed with one code.
 */
export async function storeCall<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    if (isSafePresignError(cause) && cause.code === 'STORE_UNAVAILABLE') throw cause
    throw new SafePresignError('STORE_UNAVAILABLE', `the ownership store failed during ${operation}; nothing was granted`, {
      cause,
      details: { operation },
    })
  }
}
