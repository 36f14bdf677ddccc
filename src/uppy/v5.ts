// Options for @uppy/aws-s3 5.x: getUploadParameters for PUT and POST grants, the five multipart
// callbacks for multipart grants, all through the handler; Uppy's own uploadPartBytes replaced (xhr.ts).
import { SafePresignError } from '../errors.js'
import type { GrantWire } from './protocol.js'
import { createSession, type Session, type UppyAdapterOptions, type UppyFileLike } from './session.js'
import { browserHeaders, uploadPartBytes } from './xhr.js'

type UploadParameters = { method: 'PUT'; url: string; headers: Record<string, string>; fields?: Record<string, never> } | { method: 'POST'; url: string; fields: Record<string, string>; headers: Record<string, string> }

/** The options `uppy.use(AwsS3, …)` takes from `uppy5Options()` (@uppy/aws-s3 5.x). */
export interface Uppy5Options {
  shouldUseMultipart: (file: any) => boolean
  getChunkSize: (data: { size: number }) => number
  getUploadParameters: (file: any, options?: { signal?: AbortSignal }) => Promise<UploadParameters>
  createMultipartUpload: (file: any) => Promise<{ uploadId: string; key: string }>
  signPart: (file: any, options: { uploadId: string; key: string; partNumber: number; body: Blob; signal?: AbortSignal }) => Promise<{ method: 'PUT'; url: string; headers: Record<string, string> }>
  listParts: (file: any, options: { uploadId?: string; key: string; signal?: AbortSignal }) => Promise<{ PartNumber: number; Size: number; ETag: string }[]>
  completeMultipartUpload: (file: any, options: { uploadId?: string; key: string }) => Promise<{ key: string }>
  abortMultipartUpload: (file: any, options: { uploadId?: string; key: string }) => Promise<void>
  uploadPartBytes: typeof uploadPartBytes
}

function expect<K extends GrantWire['kind']>(grant: GrantWire, kinds: readonly K[], callback: string): Extract<GrantWire, { kind: K }> {
  if ((kinds as readonly string[]).includes(grant.kind)) return grant as Extract<GrantWire, { kind: K }>
  throw new SafePresignError('INVALID_REQUEST', `Uppy called ${callback} for a ${grant.kind} grant: Uppy 5 uploads files of 5 MiB or less in one request, so do not ask for multipart below that`)
}

async function multipartGrant(session: Session, file: UppyFileLike, key: string, uploadId: string | undefined) {
  const grant = expect(await session.grant(file), ['multipart'], 'a multipart callback')
  // Uppy passes back what createMultipartUpload returned; anything else is not this file's upload.
  if (grant.key !== key || grant.uploadId !== uploadId) throw new SafePresignError('INVALID_REQUEST', 'Uppy named a multipart upload this file was not granted')
  return grant
}

/**
 * Options for `uppy.use(AwsS3, uppy5Options({ uppy, endpoint }))` with @uppy/aws-s3 5.x: every URL comes
 * from the handler, and `uppy.upload()` resolves once the handler has committed each file.
 */
export function uppy5Options(options: UppyAdapterOptions): Uppy5Options {
  const session = createSession(options)
  const { client } = session
  return {
    shouldUseMultipart: (file) => session.settled(file.id)?.kind === 'multipart',
    // Uppy 5 passes the file's Blob: its size is all there is to go on.
    getChunkSize: (data) => session.partSize(data.size) ?? Math.max(5 * 1024 * 1024, Math.ceil(data.size / 10_000)),
    async getUploadParameters(file, opts) {
      const grant = expect(await session.grant(file, opts?.signal), ['put', 'post'], 'getUploadParameters')
      if (grant.kind === 'put') return { method: 'PUT', url: grant.url, headers: browserHeaders(grant.headers) }
      return { method: 'POST', url: grant.url, fields: { ...grant.fields }, headers: {} }
    },
    async createMultipartUpload(file) {
      const grant = expect(await session.grant(file), ['multipart'], 'createMultipartUpload')
      return { uploadId: grant.uploadId, key: grant.key }
    },
    async signPart(file, { uploadId, key, partNumber, body, signal }) {
      const grant = await multipartGrant(session, file, key, uploadId)
      const checksum = await session.digest(grant.checksum, body)
      const { parts } = await client.parts({ key, uploadId, parts: [{ partNumber, ...(checksum ? { checksum } : {}) }] }, signal)
      const part = parts.find((p) => p.partNumber === partNumber)
      if (!part) throw new SafePresignError('INTERNAL', `the handler signed no URL for part ${partNumber}`)
      return { method: 'PUT', url: part.url, headers: browserHeaders(part.headers) }
    },
    async listParts(file, { uploadId, key, signal }) {
      await multipartGrant(session, file, key, uploadId)
      const listed = await client.listParts({ key, uploadId: uploadId! }, signal)
      return listed.parts.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ETag: p.etag }))
    },
    // Nothing goes to S3 here: the handler completes the upload (and verifies it) in the post-processor.
    async completeMultipartUpload(file, { uploadId, key }) {
      await multipartGrant(session, file, key, uploadId)
      return { key }
    },
    async abortMultipartUpload(file, { uploadId, key }) {
      session.forget(file.id)
      if (uploadId) await client.abort({ key, uploadId })
    },
    uploadPartBytes,
  }
}
