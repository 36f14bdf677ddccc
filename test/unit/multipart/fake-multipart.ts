// An in-memory S3 with multipart uploads behind aws-sdk-client-mock, for the multipart unit tests.
// One state (objects and open uploads) answers every mocked client, as one S3 server would answer the
// worker and the signer alike, and each call is recorded with the client that sent it. Modelled on
// test/unit/lifecycle/fake-s3.ts, extended with objects whose bytes are never materialized: a part
// can be declared by its size alone, and a completed object then serves only ranged reads of its
// first bytes (a full read is recorded as a violation and fails). Shapes only: real S3 behaviour is
// proven against RGW (test/integration/s3/multipart.test.ts).
import { createHash } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  NoSuchUpload,
  NotFound,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3'
import { mockClient, type AwsStub } from 'aws-sdk-client-mock'

const MIN_PART = 5 * 1024 ** 2
const LIST_LIMIT = 1000

/** A part as the client's PUT left it: real bytes, or only a size (and the first bytes, for the sniff). */
export interface FakePart {
  size: number
  /** The part's bytes, or its first bytes when `size` is larger. */
  head: Uint8Array
  etag: string
  checksumSHA256?: string
}

export interface FakeObject {
  size: number
  /** The whole body when `head.length === size`, else only the first bytes. */
  head: Uint8Array
  contentType?: string
  metadata?: Record<string, string>
  etag: string
  checksumSHA256?: string
}

export interface FakeUpload {
  key: string
  uploadId: string
  initiated: Date
  contentType?: string
  metadata?: Record<string, string>
  acl?: string
  checksumAlgorithm?: string
  parts: Map<number, FakePart>
}

export interface FakeMultipartOptions {
  /** The worker (`client`) and, when it is another client, the `signer`. Both answer from one state. */
  clients: readonly S3Client[]
  /** Initiated dates of new uploads. @default Date.now */
  now?: () => number
  /** The most parts one ListParts page holds (S3: 1000). */
  listPartsPageSize?: number
  /** The most uploads one ListMultipartUploads page holds (S3: 1000). */
  listUploadsPageSize?: number
}

export interface Call {
  /** Which of `clients` sent it (its index). */
  client: number
  command: string
  input: Record<string, unknown>
}

export type FakeMultipart = ReturnType<typeof fakeMultipart>

const md5hex = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('hex')
const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', message: name, $metadata: { httpStatusCode: status } })
const noSuchUpload = () => new NoSuchUpload({ message: 'The specified upload does not exist.', $metadata: { httpStatusCode: 404 } })
const noSuchKey = () => Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })

/** S3's ETag of a completed multipart object, computed here independently of the library. */
export function fakeMultipartEtag(parts: readonly FakePart[]): string {
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')))
  return `"${md5hex(md5s)}-${parts.length}"`
}

export function fakeMultipart(options: FakeMultipartOptions) {
  const objects = new Map<string, FakeObject>()
  const uploads = new Map<string, FakeUpload>()
  const calls: Call[] = []
  /** Anything the fake refuses to do for a test's own sake (a full read of a large object). */
  const violations: string[] = []
  const now = options.now ?? Date.now
  const partsPage = Math.min(options.listPartsPageSize ?? LIST_LIMIT, LIST_LIMIT)
  const uploadsPage = Math.min(options.listUploadsPageSize ?? LIST_LIMIT, LIST_LIMIT)
  let nextId = 0

  const open = (Key: unknown, UploadId: unknown): FakeUpload => {
    const upload = uploads.get(String(UploadId))
    if (!upload || upload.key !== Key) throw noSuchUpload()
    return upload
  }

  const handlers: Record<string, (input: Record<string, any>) => Promise<unknown>> = {
    CreateMultipartUpload: async ({ Key, ContentType, Metadata, ACL, ChecksumAlgorithm }) => {
      const uploadId = `2~fake-upload-${++nextId}`
      uploads.set(uploadId, { key: Key, uploadId, initiated: new Date(now()), contentType: ContentType, metadata: Metadata, acl: ACL, checksumAlgorithm: ChecksumAlgorithm, parts: new Map() })
      return { Bucket: 'b', Key, UploadId: uploadId }
    },
    ListParts: async ({ Key, UploadId, PartNumberMarker, MaxParts }) => {
      const upload = open(Key, UploadId)
      const after = Number(PartNumberMarker ?? 0)
      const all = [...upload.parts.entries()].sort(([a], [b]) => a - b).filter(([n]) => n > after)
      const page = all.slice(0, Math.min(MaxParts ?? LIST_LIMIT, partsPage))
      const truncated = all.length > page.length
      return {
        Parts: page.map(([n, p]) => ({ PartNumber: n, Size: p.size, ETag: p.etag, ...(p.checksumSHA256 ? { ChecksumSHA256: p.checksumSHA256 } : {}) })),
        IsTruncated: truncated,
        ...(truncated ? { NextPartNumberMarker: String(page.at(-1)![0]) } : {}),
      }
    },
    CompleteMultipartUpload: async ({ Key, UploadId, MultipartUpload, IfNoneMatch, MpuObjectSize }) => {
      const upload = open(Key, UploadId)
      if (IfNoneMatch === '*' && objects.has(Key)) throw s3Error('PreconditionFailed', 412)
      const listed = (MultipartUpload?.Parts ?? []) as { PartNumber: number; ETag: string; ChecksumSHA256?: string }[]
      const parts: FakePart[] = []
      let previous = 0
      for (const [i, entry] of listed.entries()) {
        const part = upload.parts.get(entry.PartNumber)
        if (!part || part.etag.replace(/"/g, '') !== String(entry.ETag).replace(/"/g, '')) throw s3Error('InvalidPart', 400)
        if (entry.PartNumber <= previous) throw s3Error('InvalidPartOrder', 400)
        if (i < listed.length - 1 && part.size < MIN_PART) throw s3Error('EntityTooSmall', 400)
        previous = entry.PartNumber
        parts.push(part)
      }
      if (parts.length === 0) throw s3Error('MalformedXML', 400)
      const size = parts.reduce((sum, p) => sum + p.size, 0)
      if (MpuObjectSize !== undefined && MpuObjectSize !== size) throw s3Error('InvalidRequest', 400)
      objects.set(Key, objectOf(upload, parts))
      uploads.delete(upload.uploadId)
      return { Key, ETag: objects.get(Key)!.etag }
    },
    AbortMultipartUpload: async ({ Key, UploadId }) => {
      uploads.delete(open(Key, UploadId).uploadId)
      return {}
    },
    ListMultipartUploads: async ({ Prefix, KeyMarker, UploadIdMarker, MaxUploads }) => {
      const prefix = String(Prefix ?? '')
      const sorted = [...uploads.values()].filter((u) => u.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1))
      const after = sorted.filter((u) => KeyMarker === undefined || u.key > KeyMarker || (u.key === KeyMarker && UploadIdMarker !== undefined && u.uploadId > UploadIdMarker))
      const page = after.slice(0, Math.min(MaxUploads ?? LIST_LIMIT, uploadsPage))
      const truncated = after.length > page.length
      return {
        Uploads: page.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: u.initiated })),
        IsTruncated: truncated,
        ...(truncated ? { NextKeyMarker: page.at(-1)!.key, NextUploadIdMarker: page.at(-1)!.uploadId } : {}),
      }
    },
    HeadObject: async ({ Key }) => {
      const o = objects.get(Key)
      if (!o) throw new NotFound({ message: 'NotFound', $metadata: { httpStatusCode: 404 } })
      return { ContentLength: o.size, ContentType: o.contentType, ETag: o.etag, Metadata: o.metadata, ...(o.checksumSHA256 ? { ChecksumSHA256: o.checksumSHA256 } : {}) }
    },
    GetObject: async ({ Key, Range, IfMatch }) => {
      const o = objects.get(Key)
      if (!o) throw noSuchKey()
      if (IfMatch !== undefined && IfMatch !== o.etag) throw s3Error('PreconditionFailed', 412)
      const m = Range ? /^bytes=(\d+)-(\d+)$/.exec(Range) : null
      if (!m && o.head.length < o.size) {
        violations.push(`GetObject ${Key} without a Range: a full read of ${o.size} bytes`)
        throw new Error(`the fake refuses a full read of ${Key} (${o.size} bytes)`)
      }
      const start = m ? Number(m[1]) : 0
      const end = m ? Math.min(Number(m[2]), o.size - 1) : o.size - 1
      if (end >= o.head.length) violations.push(`GetObject ${Key} ${Range}: beyond the ${o.head.length} bytes the fake holds`)
      const bytes = Buffer.alloc(end - start + 1)
      bytes.set(o.head.subarray(start, Math.min(end + 1, o.head.length)))
      return { Body: body(bytes), ContentLength: bytes.length }
    },
    CopyObject: async ({ Bucket, Key, CopySource, CopySourceIfMatch }) => {
      const prefix = `${Bucket}/`
      if (!CopySource.startsWith(prefix)) throw new Error(`CopySource ${CopySource} is not in ${Bucket}`)
      const source = objects.get(decodeURIComponent(CopySource.slice(prefix.length)))
      if (!source) throw noSuchKey()
      if (CopySourceIfMatch !== undefined && CopySourceIfMatch !== source.etag) throw s3Error('PreconditionFailed', 412)
      objects.set(Key, { ...source })
      return { CopyObjectResult: { ETag: source.etag } }
    },
    DeleteObject: async ({ Key }) => {
      objects.delete(Key)
      return {}
    },
  }

  const commands = { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand }
  const clients = [...new Set(options.clients)]
  const mocks: AwsStub<any, any, any>[] = clients.map((client, index) => {
    const mock = mockClient(client)
    for (const [name, command] of Object.entries(commands)) {
      const op = name.replace(/Command$/, '')
      mock.on(command as never).callsFake(async (input: Record<string, unknown>) => {
        calls.push({ client: index, command: op, input })
        return handlers[op]!(input)
      })
    }
    return mock
  })

  function objectOf(upload: FakeUpload, parts: FakePart[]): FakeObject {
    const size = parts.reduce((sum, p) => sum + p.size, 0)
    // The bytes the fake holds: every part's, up to the first part that holds only its head.
    const held: Uint8Array[] = []
    for (const p of parts) {
      held.push(p.head)
      if (p.head.length < p.size) break
    }
    const composite = upload.checksumAlgorithm === 'SHA256' && parts.every((p) => p.checksumSHA256)
    return {
      size,
      head: Buffer.concat(held),
      contentType: upload.contentType,
      metadata: upload.metadata,
      etag: fakeMultipartEtag(parts),
      ...(composite ? { checksumSHA256: `${createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p.checksumSHA256!, 'base64')))).digest('base64')}-${parts.length}` } : {}),
    }
  }

  return {
    objects,
    uploads,
    calls,
    violations,
    /** Every call so far as 'Command key' strings, in order; only those of `clients[client]` when given. */
    ops(client?: number): string[] {
      return calls.filter((c) => client === undefined || c.client === client).map((c) => `${c.command} ${String(c.input.Key ?? c.input.Prefix ?? '')}`)
    },
    /** The inputs of every call of one command, in order. */
    inputs(command: string): Record<string, any>[] {
      return calls.filter((c) => c.command === command).map((c) => c.input)
    },
    /** Which client index sent each call of `command`. */
    senders(command: string): number[] {
      return calls.filter((c) => c.command === command).map((c) => c.client)
    },
    /** Replaces one operation's behaviour on every client; `original` is the fake's own. */
    intercept(command: string, fn: (input: Record<string, any>, original: (input: Record<string, any>) => Promise<any>) => Promise<unknown>): void {
      const original = handlers[command]!
      handlers[command] = (input) => fn(input, original)
    },
    /** What a client's PUT to a part URL leaves: real bytes, or `{ size, head? }` for a part never held in memory. */
    uploadPart(uploadId: string, partNumber: number, content: Uint8Array | string | { size: number; head?: Uint8Array }, extra: { checksumSHA256?: string; etag?: string } = {}): FakePart {
      const upload = uploads.get(uploadId)
      if (!upload) throw new Error(`fake: no upload ${uploadId}`)
      const bytes = typeof content === 'string' ? Buffer.from(content) : content instanceof Uint8Array ? content : undefined
      const size = bytes ? bytes.length : (content as { size: number }).size
      const head = bytes ?? (content as { head?: Uint8Array }).head ?? new Uint8Array()
      // A part without its bytes gets a distinct, stable MD5 all the same.
      const etag = extra.etag ?? `"${md5hex(bytes ?? `${uploadId}/${partNumber}/${size}`)}"`
      const part: FakePart = { size, head, etag, ...(extra.checksumSHA256 && upload.checksumAlgorithm === 'SHA256' ? { checksumSHA256: extra.checksumSHA256 } : {}) }
      upload.parts.set(partNumber, part)
      return part
    },
    /** An object put under `key` by other means (a single PUT), with the hex MD5 ETag. */
    putObject(key: string, bytes: Uint8Array | string, contentType?: string): void {
      const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
      objects.set(key, { size: b.length, head: b, contentType, etag: `"${md5hex(b)}"` })
    },
    /** Completes an upload as a concurrent call would, without recording a call. */
    completeNow(uploadId: string): FakeObject {
      const upload = uploads.get(uploadId)!
      const parts = [...upload.parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p)
      const object = objectOf(upload, parts)
      objects.set(upload.key, object)
      uploads.delete(uploadId)
      return object
    },
    /** An upload S3 holds that no createMultipart of this test made (a foreign or an orphaned one). */
    addUpload(key: string, initiated: number, uploadId = `2~foreign-${++nextId}`): string {
      uploads.set(uploadId, { key, uploadId, initiated: new Date(initiated), parts: new Map() })
      return uploadId
    },
    restore(): void {
      for (const mock of mocks) mock.restore()
    },
  }
}

/** What the SDK's GetObject Body offers: transformToByteArray() and async iteration. */
function body(bytes: Uint8Array) {
  return {
    transformToByteArray: async () => bytes,
    async *[Symbol.asyncIterator]() {
      yield bytes.subarray(0, Math.floor(bytes.length / 2))
      yield bytes.subarray(Math.floor(bytes.length / 2))
    },
  }
}
