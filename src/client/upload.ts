// uploadFile(): grant → S3 → complete. The server decides the key, the kind of upload and what S3 may
// receive; the client sends exactly what it was granted and lets the server verify and commit.
import { aborted, ClientErrorCode, isSafePresignClientError, SafePresignClientError } from './errors.js'
import { algorithmAsked, digestBase64, type DigestAlgorithm } from './digest.js'
import { heldParts, uploadParts, type Upload } from './multipart.js'
import { call, expect, type CompleteAnswer, type Context, type GrantAnswer, type PartsListAnswer } from './protocol.js'
import { tracker, type Progress } from './progress.js'
import { postFile, putFile } from './single.js'

export interface ResumeState {
  key: string
  uploadId: string
}

export interface UploadOptions {
  /** The handler's base URL, e.g. `'/uploads'` or `'https://api.example.com/uploads'`. */
  endpoint: string
  /** Headers for the handler's requests (never for S3), e.g. an Authorization token; may be a function. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)
  /** The fetch to use for the handler (and for S3 where there is no XMLHttpRequest). @default globalThis.fetch */
  fetch?: typeof fetch
  /** Aborts every request in flight; a multipart upload is then aborted on the server too. */
  signal?: AbortSignal
  /** Bytes sent so far, over the whole file: never decreasing, and last called with `loaded === total`. */
  onProgress?: (progress: Progress) => void
  /** The name sent to the server (sanitized there, kept as metadata only). @default file.name */
  filename?: string
  /** The type to declare. @default file.type */
  contentType?: string
  /** Further attempts of a part, or of the single PUT/POST, after a network error or a 5xx (never a 4xx). @default 3 */
  retries?: number
  /** The first pause before a retry, in ms, doubled each time. @default 500 */
  retryDelay?: number
  /** Parts uploaded at once. @default 4 */
  concurrency?: number
  /** Ask for a multipart upload whatever the size (the server still decides). @default false */
  multipart?: boolean
  /**
   * The whole-file digest to send with the grant request. `'auto'`: none, unless the server answers
   * CHECKSUM_REQUIRED; the client then hashes the file and asks once more. Name the algorithm to send
   * it up front (one request fewer; and a multipart upload on a `checksum: 'sha256'` builder over a
   * store that keeps no part checksums, such as Ceph RGW, needs it). `false`: never.
   * @default 'auto'
   */
  digest?: 'auto' | DigestAlgorithm | false
  /** Called once a multipart upload exists: keep the state to resume after a reload. */
  onResumeState?: (state: ResumeState) => void
  /** Continue this multipart upload of the same file: only the parts S3 does not hold are sent. */
  resume?: ResumeState
}

export interface UploadResult {
  /** The final key: store it, download with it. */
  key: string
  /** The verified size in bytes. */
  size: number
  /** The type S3 stored and the bytes were verified as. */
  contentType: string
}

export function context(options: UploadOptions): Context {
  const headers = options.headers
  return {
    endpoint: String(options.endpoint).replace(/\/+$/, ''),
    headers: typeof headers === 'function' ? headers : () => headers ?? {},
    // Bound: a browser's fetch throws "Illegal invocation" when called off `window`.
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    signal: options.signal,
    retries: options.retries ?? 3,
    retryDelay: options.retryDelay ?? 500,
  }
}

/** Uploads `file` through the handler at `endpoint`; resolves once the server has committed it. */
export async function uploadFile(file: Blob, options: UploadOptions): Promise<UploadResult> {
  const ctx = context(options)
  if (ctx.signal?.aborted) throw aborted()
  const name = options.filename ?? (file as { name?: unknown }).name
  const filename = typeof name === 'string' && name !== '' ? name : undefined
  const track = tracker(file.size, options.onProgress)
  const concurrency = options.concurrency ?? 4
  let done: CompleteAnswer
  if (options.resume) {
    const { key, uploadId } = options.resume
    const list = await call<PartsListAnswer>(ctx, 'parts/list', { key, uploadId }, true)
    const plan = { key, uploadId, partSize: list.partSize, partCount: list.partCount, checksum: null }
    done = await multipart(ctx, plan, file, heldParts(list, file.size), concurrency, track)
  } else {
    const contentType = options.contentType ?? file.type
    if (!contentType) throw new SafePresignClientError('INVALID_REQUEST', 'the file has no type: pass `contentType`', 0)
    const grant = await requestGrant(ctx, file, { filename, contentType, size: file.size, ...(options.multipart ? { multipart: true } : {}) }, options.digest ?? 'auto')
    expect(typeof grant.key === 'string' && grant.key !== '', 'key')
    if (grant.kind === 'multipart') {
      expect(typeof grant.uploadId === 'string', 'uploadId')
      options.onResumeState?.({ key: grant.key, uploadId: grant.uploadId })
      done = await multipart(ctx, grant, file, new Set(), concurrency, track)
    } else {
      if (grant.kind === 'put') await putFile(ctx, grant, file, track)
      else if (grant.kind === 'post') await postFile(ctx, grant, file, filename, track)
      else expect(false, 'grant kind')
      // The grant's key, never a POST's fields.key: that is where the bytes wait in quarantine.
      done = await call<CompleteAnswer>(ctx, 'complete', { key: grant.key }, true)
    }
  }
  track.finish()
  return { key: done.key, size: done.size, contentType: done.contentType }
}

async function requestGrant(ctx: Context, file: Blob, body: Record<string, unknown>, digest: UploadOptions['digest']): Promise<GrantAnswer> {
  if (digest === 'md5' || digest === 'sha256') return call<GrantAnswer>(ctx, 'grant', { ...body, checksum: await digestBase64(file, digest) })
  try {
    return await call<GrantAnswer>(ctx, 'grant', body)
  } catch (error) {
    // The builder's checksum is the server's secret until it asks: hash the file only then.
    const asked = digest === 'auto' && isSafePresignClientError(error) && error.code === 'CHECKSUM_REQUIRED' ? algorithmAsked(error.details, error.message) : undefined
    if (!asked) throw error
    return call<GrantAnswer>(ctx, 'grant', { ...body, checksum: await digestBase64(file, asked) })
  }
}

async function multipart(ctx: Context, up: Upload, file: Blob, held: Set<number>, concurrency: number, track: ReturnType<typeof tracker>): Promise<CompleteAnswer> {
  const last = up.partSize * (up.partCount - 1)
  if (!(file.size > last && file.size <= up.partSize * up.partCount)) {
    throw new SafePresignClientError('SIZE_MISMATCH', `the file is ${file.size} bytes, which this upload's plan (${up.partCount} parts of ${up.partSize} bytes) cannot hold: is it the file the upload was started for?`, 0)
  }
  try {
    await uploadParts(ctx, up, file, held, concurrency, track)
  } catch (error) {
    if (isSafePresignClientError(error) && error.code === ClientErrorCode.ABORTED && ctx.signal?.aborted) {
      // Without the caller's signal: it is aborted, and this request must still go out. Best effort:
      // what it misses, the server's sweep aborts.
      await call({ ...ctx, signal: undefined }, 'abort', { key: up.key, uploadId: up.uploadId }).catch(() => {})
    }
    throw error
  }
  return call<CompleteAnswer>(ctx, 'complete', { key: up.key, uploadId: up.uploadId }, true)
}
