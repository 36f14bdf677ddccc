// What both Uppy majors share: one grant per file, asked for before Uppy's uploader runs (a pre-processor,
// so `shouldUseMultipart` and the chunk size can follow the grant), and the server's completion as a
// post-processor, so `uppy.upload()` resolves only once the handler has verified and committed each file.
import { isSafePresignError, SafePresignError } from '../errors.js'
import { digestFor, type DigestFn } from './digest.js'
import { protocolClient, type Checksum, type Completion, type GrantWire, type HandlerFailure, type ProtocolClient, type ProtocolOptions } from './protocol.js'

/** The part of an Uppy file the adapter reads (Uppy 5 and 6 agree on it). */
export interface UppyFileLike {
  id: string
  name?: string
  type?: string
  size: number | null
  data?: Blob
  isRemote?: boolean
  error?: string | null
  progress?: Record<string, unknown>
}

/** The part of an Uppy instance the adapter uses; `new Uppy()` of either major fits. */
export interface UppyLike {
  getFile(id: string): UppyFileLike | undefined
  setFileState(id: string, state: any): void
  emit(event: any, ...args: any[]): void
  on(event: any, callback: (...args: any[]) => void): unknown
  addPreProcessor(fn: (fileIDs: string[]) => Promise<void> | void): void
  addPostProcessor(fn: (fileIDs: string[]) => Promise<void> | void): void
}

export interface UppyAdapterOptions extends ProtocolOptions {
  /** The Uppy instance the options are for: the adapter adds a pre- and a post-processor to it. */
  uppy: UppyLike
  /**
   * Ask the handler for a multipart upload for this file. The handler also picks multipart on its own
   * (at its builder's `multipart.threshold`); Uppy's `shouldUseMultipart` then follows the grant.
   * @default () => false
   */
  shouldUseMultipart?: (file: UppyFileLike) => boolean
  /**
   * The digest the handler's builder requires, so a PUT grant request carries it at once. Without it the
   * adapter learns it from a CHECKSUM_REQUIRED refusal and asks once more.
   * @default undefined
   */
  checksum?: 'sha256' | 'md5'
  /** The base64 MD5 of a Blob, for builders with `checksum: 'md5'` (WebCrypto has no MD5). */
  md5?: DigestFn
}

interface Entry {
  grant: Promise<GrantWire>
  /** The settled grant, for the synchronous `shouldUseMultipart` and chunk-size callbacks. */
  settled?: GrantWire
  /** The grant request was refused: the uploader's callback rethrows it; the next upload() asks again. */
  failed?: boolean
  /** A create-once PUT answered 412: a lost response's retry, the object is stored. */
  preconditionFailed?: boolean
}

// A PUT or POST grant this close to its end is asked for again rather than sent to S3 to fail.
const GRANT_MARGIN_MS = 5_000
const GRANT_CONCURRENCY = 4

const isCreateOnce = (grant: GrantWire) => grant.kind === 'put' && Object.entries(grant.headers).some(([k, v]) => k.toLowerCase() === 'if-none-match' && v === '*')

/** A refusal's status and JSON, for the file's `response` (Uppy keeps only the message as `file.error`). */
function failureOf(error: unknown): HandlerFailure {
  if (isSafePresignError(error)) {
    const known = (error as { failure?: HandlerFailure }).failure
    return known ?? { status: 0, body: { name: 'SafePresignError', code: error.code, message: error.message } }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { status: 0, body: { name: 'SafePresignError', code: 'INTERNAL', message } }
}

export interface Session {
  client: ProtocolClient
  uppy: UppyLike
  /** The file's grant: the one the pre-processor asked for, or a fresh one when that one is about to expire. */
  grant(file: UppyFileLike, signal?: AbortSignal): Promise<GrantWire>
  /** The grant, once settled (undefined before the pre-processor ran, or when it failed). */
  settled(fileId: string): GrantWire | undefined
  /** The part size the handler planned for files of this size (Uppy's chunk-size callbacks get only the size). */
  partSize(size: number): number | undefined
  /** The file a final key was granted to (Uppy 6 names multipart requests by key). */
  fileForKey(key: string): UppyFileLike | undefined
  digest(algorithm: Checksum | undefined, data: Blob): Promise<string | undefined>
  /** Drops the file's grant: the next upload of it asks for a new one. */
  forget(fileId: string): void
}

export function createSession(options: UppyAdapterOptions): Session {
  const { uppy } = options
  if (!uppy || typeof uppy.addPostProcessor !== 'function' || typeof uppy.getFile !== 'function') {
    throw new SafePresignError('INVALID_CONFIG', '`uppy` must be the Uppy instance the options are for (it needs addPreProcessor and addPostProcessor)')
  }
  if (typeof options.endpoint !== 'string' || options.endpoint === '') {
    throw new SafePresignError('INVALID_CONFIG', '`endpoint` must be the URL of the safe-presign handler, e.g. "/uploads"')
  }
  const client = protocolClient(options)
  const entries = new Map<string, Entry>()
  const partSizes = new Map<number, number>()
  const keys = new Map<string, string>()

  async function requestGrant(file: UppyFileLike, signal?: AbortSignal): Promise<GrantWire> {
    if (!file.data || file.size == null) throw new SafePresignError('INVALID_REQUEST', `file ${file.id} has no local data: remote (Companion) files are not uploaded through safe-presign`)
    const body = { filename: file.name || undefined, contentType: file.type || 'application/octet-stream', size: file.size, multipart: options.shouldUseMultipart?.(file) || undefined }
    // Also for multipart: a store that keeps no part checksums (Ceph RGW) can only verify the whole file.
    const checksum = options.checksum ? await digestFor(options.checksum, file.data, options.md5) : undefined
    try {
      return await client.grant({ ...body, checksum }, signal)
    } catch (error) {
      // The builder wants the whole file's digest and the caller did not say which: the message names it.
      const algorithm = isSafePresignError(error) && error.code === 'CHECKSUM_REQUIRED' && checksum === undefined ? (/\b(sha256|md5)\b/.exec(error.message)?.[1] as Checksum) : null
      if (!algorithm) throw error
      return client.grant({ ...body, checksum: await digestFor(algorithm, file.data, options.md5) }, signal)
    }
  }

  function track(file: UppyFileLike, signal?: AbortSignal): Entry {
    const entry: Entry = { grant: requestGrant(file, signal) }
    entry.grant.then(
      (grant) => {
        entry.settled = grant
        keys.set(grant.key, file.id)
        if (grant.kind === 'multipart') partSizes.set(file.size!, grant.partSize)
      },
      () => {
        entry.failed = true // rethrown to Uppy by the uploader's callback, which marks the file failed
      },
    )
    entries.set(file.id, entry)
    return entry
  }

  const fresh = (entry: Entry) => {
    const grant = entry.settled
    return !grant || grant.kind === 'multipart' || grant.expiresAt - Date.now() > GRANT_MARGIN_MS
  }
  // The pre-processor asks again after a refusal; the uploader's callbacks see the refusal once.
  const usable = (entry: Entry | undefined): entry is Entry => !!entry && !entry.failed && fresh(entry)

  async function preprocess(fileIDs: string[]) {
    const queue = fileIDs.map((id) => uppy.getFile(id)).filter((f): f is UppyFileLike => !!f && !f.isRemote && !usable(entries.get(f.id)))
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) await track(file).grant.catch(() => undefined)
    }
    await Promise.all(Array.from({ length: GRANT_CONCURRENCY }, worker))
  }

  async function completeOne(id: string) {
    const entry = entries.get(id)
    const file = uppy.getFile(id)
    const grant = entry?.settled
    if (!entry || !file || !grant) return
    // A failed upload stays failed, except a create-once PUT refused with 412: its bytes are stored.
    if (file.error && !(entry.preconditionFailed && isCreateOnce(grant))) return
    uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: 'Verifying' })
    try {
      const completion: Completion = await client.complete(grant.kind === 'multipart' ? { key: grant.key, uploadId: grant.uploadId } : { key: grant.key })
      const location = client.downloadUrl(completion.key)
      // The response now names the final key only: not the quarantine key, not the bucket URL.
      uppy.setFileState(id, {
        error: null,
        s3Multipart: undefined,
        response: { status: 200, body: { ...completion, location }, uploadURL: location },
        uploadURL: location,
        ...(file.error ? { progress: { ...file.progress, uploadComplete: true, percentage: 100, bytesUploaded: file.size } } : {}),
      })
    } catch (error) {
      const failure = failureOf(error)
      uppy.emit('upload-error', file, error, failure)
    } finally {
      entries.delete(id) // committed, or refused: a retry of this file asks for a new grant
      uppy.emit('postprocess-complete', uppy.getFile(id) ?? file)
    }
  }

  uppy.addPreProcessor(preprocess)
  uppy.addPostProcessor((fileIDs) => Promise.all(fileIDs.map(completeOne)).then(() => undefined))
  uppy.on('upload-error', (file: UppyFileLike | undefined, error: unknown, response?: unknown) => {
    const entry = file && entries.get(file.id)
    if (!file || !entry) return
    const status = (error as { status?: unknown } | null)?.status
    if ((error as { name?: unknown } | null)?.name === 'S3ServiceError' && status === 412) entry.preconditionFailed = true
    // Uppy keeps only the message: put the handler's code where the app can read it.
    else if (response === undefined && isSafePresignError(error)) uppy.setFileState(file.id, { response: failureOf(error) })
  })
  uppy.on('file-removed', (file: UppyFileLike | undefined) => {
    if (file) entries.delete(file.id)
  })

  return {
    client,
    uppy,
    grant(file, signal) {
      const entry = entries.get(file.id)
      return (entry && fresh(entry) ? entry : track(file, signal)).grant
    },
    settled: (fileId) => entries.get(fileId)?.settled,
    partSize: (size) => partSizes.get(size),
    fileForKey: (key) => {
      const id = keys.get(key)
      return id === undefined ? undefined : uppy.getFile(id)
    },
    digest: (algorithm, data) => digestFor(algorithm, data, options.md5),
    forget: (fileId) => void entries.delete(fileId),
  }
}
