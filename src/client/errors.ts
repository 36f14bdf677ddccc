// The one error the client throws. `code` is the handler's code (docs/protocol.md) when the server
// refused, or one of ClientErrorCode when S3, the network or the caller stopped the upload.

/** Codes the client adds to the handler's own. */
export const ClientErrorCode = {
  /** The caller's `signal` aborted the upload. */
  ABORTED: 'ABORTED',
  /** The handler could not be reached (fetch rejected). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** The handler answered something that is not the protocol (no JSON, a missing field). */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** S3 gave no readable answer (status 0): most often a refusal whose response carries no CORS headers. */
  S3_NO_RESPONSE: 'S3_NO_RESPONSE',
  /** S3 answered with an error status the page could read. */
  S3_REFUSED: 'S3_REFUSED',
} as const
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

/** What a refused S3 upload most likely means: the signature binds the size, the type and the expiry. */
export const MOST_LIKELY = "the file's size or type differs from what was declared, or the grant expired"

export class SafePresignClientError extends Error {
  override readonly name = 'SafePresignClientError' as const
  /** The handler's code (`FILE_TOO_LARGE`, `CONTENT_TYPE_NOT_ALLOWED`, …) or a {@link ClientErrorCode}. */
  readonly code: string
  /** The HTTP status of the failed request; 0 when there was no readable response. */
  readonly status: number
  /** The handler's `details`, when it sent any. */
  readonly details: Record<string, unknown> | undefined

  constructor(code: string, message: string, status: number, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = status
    this.details = options.details
  }
}

/** True for a SafePresignClientError, also one from another bundle's copy of the client. */
export function isSafePresignClientError(error: unknown): error is SafePresignClientError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SafePresignClientError' && typeof (error as { code?: unknown }).code === 'string'
}

export const aborted = (): SafePresignClientError => new SafePresignClientError(ClientErrorCode.ABORTED, 'the upload was aborted', 0)

/** The error for an S3 request that failed with `status` (0: no readable response). URLs never appear. */
export function s3Error(what: string, status: number, body: string): SafePresignClientError {
  if (status === 0) {
    // RGW's (and S3's) 403 carries no CORS headers, so the browser shows the page a network error.
    return new SafePresignClientError(ClientErrorCode.S3_NO_RESPONSE, `S3 gave no readable answer to ${what}: most likely ${MOST_LIKELY} (S3's refusals carry no CORS headers, so the browser hides them)`, 0)
  }
  const code = /<Code>([A-Za-z]{1,64})<\/Code>/.exec(body)?.[1]
  const hint = status === 403 ? `: most likely ${MOST_LIKELY}` : ''
  return new SafePresignClientError(ClientErrorCode.S3_REFUSED, `S3 answered ${status}${code ? ` ${code}` : ''} to ${what}${hint}`, status)
}

/** Worth another attempt: no response (a lost connection looks the same), or a 5xx. Never a 4xx. */
export const retryable = (error: unknown): boolean =>
  isSafePresignClientError(error) && error.code !== ClientErrorCode.ABORTED && (error.status === 0 || error.status >= 500)
