// The JSON protocol of docs/protocol.md, as types: what each route takes and answers. Types only, so a
// browser client can `import type` them without pulling in anything of the server.
import type { ErrorCode } from '../errors.js'
import type { CompleteResult } from '../lifecycle/complete.js'
import type { AbortResult, ListPartsResult, PartGrant } from '../upload.js'

/** What the builder requires the client to digest: the whole file (PUT) or each part (multipart). */
export type ChecksumRequirement = 'md5' | 'sha256' | null

/** `POST {base}/grant`. */
export interface GrantBody {
  /** The user's original filename: sanitized on the server, kept as metadata only. */
  filename?: string
  contentType: string
  /** Exact size in bytes: required for PUT and multipart; a POST grant may omit it. */
  size?: number
  /** Base64 digest of the whole file, when the builder has `checksum`. */
  checksum?: string
  /** Ask for a multipart upload whatever the size (the builder must have `multipart`). */
  multipart?: boolean
}

export interface PutGrantAnswer {
  kind: 'put'
  /** The final key: complete and download this one. */
  key: string
  url: string
  /** Send exactly these, less those a browser sets itself (content-length). */
  headers: Record<string, string>
  expiresAt: number
  checksum: ChecksumRequirement
}

export interface PostGrantAnswer {
  kind: 'post'
  /** The final key; `fields.key` is the quarantine key, never complete that one. */
  key: string
  url: string
  /** Form fields in order, then the file as the field `file`, last. */
  fields: Record<string, string>
  expiresAt: number
  checksum: ChecksumRequirement
}

export interface MultipartGrantAnswer {
  kind: 'multipart'
  key: string
  uploadId: string
  partSize: number
  partCount: number
  expiresAt: number
  checksum: ChecksumRequirement
}

export type GrantAnswer = PutGrantAnswer | PostGrantAnswer | MultipartGrantAnswer

/** `POST {base}/parts`. */
export interface SignPartsBody {
  key: string
  uploadId: string
  /** 1..100 parts; a digest per part when the grant's `checksum` is not null. */
  parts: { partNumber: number; checksum?: string }[]
}

export interface SignPartsAnswer {
  parts: PartGrant[]
}

/** `POST {base}/parts/list` and `POST {base}/abort`. */
export interface MultipartBody {
  key: string
  uploadId: string
}

export type ListPartsAnswer = ListPartsResult

/** `POST {base}/complete`: with `uploadId` for a multipart upload. */
export interface CompleteBody {
  key: string
  uploadId?: string
}

export type CompleteAnswer = CompleteResult

export type AbortAnswer = AbortResult

/** `GET {base}/download?key=…` (without `redirect=1`). */
export interface DownloadAnswer {
  url: string
  expiresAt: number
}

/** The body of every refusal: a SafePresignError's `toJSON()`. */
export interface ErrorAnswer {
  name: 'SafePresignError'
  code: ErrorCode
  message: string
  details?: Record<string, unknown>
}
