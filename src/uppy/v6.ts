// Options for @uppy/aws-s3 6.x, whose one `signRequest(req)` sees only { method, key, uploadId?,
// partNumber?, contentType? }. The object key Uppy proposes is the file's id (`generateObjectKey`), so the
// signer can find the file; the handler's grant then names the real key. Requests S3 must not see
// (CreateMultipartUpload, Complete, Abort, ListParts: the handler does those) are answered with a
// `data:` URL holding the XML Uppy parses.
import { SafePresignError } from '../errors.js'
import type { MultipartGrantWire } from './protocol.js'
import { createSession, type Session, type UppyAdapterOptions, type UppyFileLike } from './session.js'
import { browserHeaders } from './xhr.js'

/** What Uppy 6 asks to have signed. */
export interface SignableRequest {
  method: 'PUT' | 'POST' | 'GET' | 'DELETE'
  key: string
  uploadId?: string
  partNumber?: number
  contentType?: string
}
export interface SignedRequest {
  url: string
  key?: string
  headers?: Record<string, string>
  fields?: Record<string, string>
}

/** The options `uppy.use(AwsS3, …)` takes from `uppy6Options()` (@uppy/aws-s3 6.x). */
export interface Uppy6Options {
  generateObjectKey: (file: any) => string
  shouldUseMultipart: (file: any) => boolean
  getChunkSize: (file: { size: number }) => number
  signRequest: (request: SignableRequest) => Promise<SignedRequest>
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
const xmlAnswer = (xml: string): SignedRequest => ({ url: `data:application/xml;charset=utf-8,${encodeURIComponent(xml)}` })

function fileById(session: Session, id: string): UppyFileLike {
  const file = session.uppy.getFile(id)
  if (!file) throw new SafePresignError('INVALID_REQUEST', 'Uppy asked to sign for a file it no longer has (set `generateObjectKey: (file) => file.id`, which uppy6Options() does)')
  return file
}

function multipartOf(session: Session, key: string, uploadId: string): { file: UppyFileLike; grant: MultipartGrantWire } {
  const file = session.fileForKey(key)
  const grant = file && session.settled(file.id)
  if (!file || grant?.kind !== 'multipart' || grant.uploadId !== uploadId) {
    throw new SafePresignError('INVALID_REQUEST', 'Uppy named a multipart upload no file here was granted')
  }
  return { file, grant }
}

async function signPart(session: Session, key: string, uploadId: string, partNumber: number): Promise<SignedRequest> {
  const { file, grant } = multipartOf(session, key, uploadId)
  // Uppy 6 does not hand the part to the signer: slice it from the file, by the handler's part plan
  // (the chunk size Uppy cut by is the same, from getChunkSize).
  const start = (partNumber - 1) * grant.partSize
  const checksum = grant.checksum ? await session.digest(grant.checksum, file.data!.slice(start, Math.min(start + grant.partSize, file.size!))) : undefined
  const { parts } = await session.client.parts({ key, uploadId, parts: [{ partNumber, ...(checksum ? { checksum } : {}) }] })
  const part = parts.find((p) => p.partNumber === partNumber)
  if (!part) throw new SafePresignError('INTERNAL', `the handler signed no URL for part ${partNumber}`)
  return { url: part.url, headers: browserHeaders(part.headers) }
}

async function sign(session: Session, req: SignableRequest): Promise<SignedRequest> {
  const { client } = session
  if (req.method === 'PUT' && req.uploadId === undefined) {
    const grant = await session.grant(fileById(session, req.key))
    if (grant.kind === 'put') return { url: grant.url, key: grant.key, headers: browserHeaders(grant.headers) }
    // fields.key (the quarantine key) is where S3 stores the bytes; the completion uses grant.key.
    if (grant.kind === 'post') return { url: grant.url, fields: { ...grant.fields } }
    throw new SafePresignError('INVALID_REQUEST', 'Uppy sent a single PUT for a file granted multipart (an empty file?)')
  }
  if (req.method === 'POST' && req.uploadId === undefined) {
    const grant = await session.grant(fileById(session, req.key))
    if (grant.kind !== 'multipart') throw new SafePresignError('INVALID_REQUEST', `Uppy started a multipart upload for a file granted ${grant.kind}`)
    // The handler already created it: hand Uppy its uploadId, and the final key for every later request.
    return { ...xmlAnswer(`<InitiateMultipartUploadResult><Key>${escapeXml(grant.key)}</Key><UploadId>${escapeXml(grant.uploadId)}</UploadId></InitiateMultipartUploadResult>`), key: grant.key }
  }
  if (req.uploadId === undefined) throw new SafePresignError('INVALID_REQUEST', `uppy6Options() signs no ${req.method} of a whole object`)
  if (req.method === 'PUT') return signPart(session, req.key, req.uploadId, req.partNumber!)
  const { file } = multipartOf(session, req.key, req.uploadId)
  if (req.method === 'POST') {
    // Not S3's CompleteMultipartUpload: the post-processor asks the handler, which completes and verifies.
    const location = escapeXml(client.downloadUrl(req.key))
    return xmlAnswer(`<CompleteMultipartUploadResult><Location>${location}</Location><Key>${escapeXml(req.key)}</Key></CompleteMultipartUploadResult>`)
  }
  if (req.method === 'DELETE') {
    session.forget(file.id)
    await client.abort({ key: req.key, uploadId: req.uploadId })
    return xmlAnswer('<AbortMultipartUploadResult/>')
  }
  const listed = await client.listParts({ key: req.key, uploadId: req.uploadId })
  const parts = listed.parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag><Size>${p.size}</Size></Part>`)
  return xmlAnswer(`<ListPartsResult>${parts.join('')}</ListPartsResult>`)
}

/**
 * Options for `uppy.use(AwsS3, uppy6Options({ uppy, endpoint }))` with @uppy/aws-s3 6.x: every URL comes
 * from the handler, and `uppy.upload()` resolves once the handler has committed each file.
 */
export function uppy6Options(options: UppyAdapterOptions): Uppy6Options {
  const session = createSession(options)
  return {
    generateObjectKey: (file) => file.id,
    shouldUseMultipart: (file) => session.settled(file.id)?.kind === 'multipart',
    // Uppy 6 passes only { size }: the handler planned the same part size for every file of that size.
    getChunkSize: ({ size }) => session.partSize(size) ?? Math.ceil(size / 10_000),
    signRequest: (req) => sign(session, req),
  }
}
