// createSafeUpload: config → policy → key/filename → sign → store → grant.
import { emitter } from './events.js'
import { registerSdk } from './_internal/s3-commands.js'
import { SDK } from './sign/commands.js'
import type { AbortResult } from './multipart/complete.js'
import type { MultipartRequest, MultipartUpload } from './multipart/create.js'
import type { MultipartRef } from './multipart/open.js'
import type { ListPartsResult, PartGrant, SignPartsRequest } from './multipart/parts.js'
import type { SweepMultipartResult } from './multipart/sweep.js'
import type { MultipartMethods } from './multipart/methods.js'
import { isSafePresignError } from './errors.js'
import { BUCKET_OWNER_ACL, MAX_PUT_SIZE_BYTES } from './limits.js'
import { resolveUploadConfig, type ResolvedUploadConfig, type SafeUploadConfig } from './policy/upload-config.js'
import { createRecord, declaredChecksum, pendingRecord, uploadTarget } from './policy/upload-request.js'
import { presign } from './sign/presign.js'
import type { PostCondition } from './sign/post.js'
import type { CompleteRequest, CompleteResult } from './lifecycle/complete.js'
import { invalid, isPositiveInteger, requestLifetime } from './_internal/validate.js'

export type { SafeUploadConfig, MultipartOptions } from './policy/upload-config.js'
export type { MultipartRequest, MultipartUpload, MultipartRef, SignPartsRequest, PartGrant, ListPartsResult, AbortResult, SweepMultipartResult }

const UNHOISTABLE = ['x-amz-checksum-sha256', 'x-amz-meta-filename', 'x-amz-acl'] as const

// What a grant does not need loads on first use, so a bundler keeps it out of the start bundle (an
// import() is its own chunk): POST signing, complete()'s verification, and the multipart methods
// (multipart/methods.ts). One promise per module.
let deferredModule: Promise<typeof import('./deferred.js')> | undefined
const loadDeferred = () => (deferredModule ??= import('./deferred.js'))

export interface UploadRequest {
  /** The end-user the grant is for. Required. */
  owner: string
  /** The user's original filename: sanitized, kept as metadata only, never part of the key. */
  filename?: string
  /** The type the client will send. Must be on the allowlist. POST may use an allowed `type/*`. */
  contentType: string
  /** The exact size in bytes. Required for PUT; for POST, omit it to allow 1..maxSize. */
  size?: number
  /** Base64 digest of the file, when the builder has `checksum` set (MD5: 16 bytes, SHA-256: 32). */
  checksum?: string
  /** Lifetime in seconds, at most the builder's `expiresIn`. */
  expiresIn?: number
  /** POST only: one of the builder's `successRedirects`, where S3 sends the browser after the upload. */
  successRedirect?: string
}

export interface PutGrant {
  /** The object key. Store it; it is how you refer to the upload later. */
  key: string
  method: 'PUT'
  url: string
  /** Exactly the headers the client must send with the PUT. */
  headers: Record<string, string>
  /** The true end of validity (ms since the epoch). */
  expiresAt: number
}

export interface PostGrant {
  key: string
  method: 'POST'
  url: string
  /** Form fields to send before the `file` field, as-is. */
  fields: Record<string, string>
  expiresAt: number
}

export type UploadGrant = PutGrant | PostGrant

export interface SafeUpload {
  /** Validates the request, records a pending grant, and returns it. Throws SafePresignError. */
  presign(request: UploadRequest): Promise<UploadGrant>
  /** Verifies an uploaded object against its grant and commits (or rejects and deletes) it. */
  complete(request: CompleteRequest): Promise<CompleteResult>
  /** Starts a multipart upload (needs `multipart` on the builder): the server creates it, the plan is fixed. */
  createMultipart(request: MultipartRequest): Promise<MultipartUpload>
  /** Signs up to 100 part URLs just in time, each with its part's exact length (and digest) signed. */
  signParts(request: SignPartsRequest): Promise<PartGrant[]>
  /** The parts S3 holds, for resuming after a reload. */
  listParts(request: MultipartRef): Promise<ListPartsResult>
  /** Checks every part against the plan, completes create-once on the server, then verifies as complete(). */
  completeMultipart(request: MultipartRef): Promise<CompleteResult>
  /** Aborts the upload in S3 and rejects its record. */
  abortMultipart(request: MultipartRef): Promise<AbortResult>
  /** Aborts abandoned multipart uploads under the builder's prefixes (record expired, settled or missing). */
  sweepMultipart(options?: { now?: number }): Promise<SweepMultipartResult>
  /** The validated configuration, for introspection (read-only). */
  readonly config: Readonly<ResolvedUploadConfig>
}

export function createSafeUpload(config: SafeUploadConfig): SafeUpload {
  registerSdk(SDK)
  const cfg = resolveUploadConfig(config)
  const emit = emitter(cfg.onEvent)

  async function presignUpload(request: UploadRequest): Promise<UploadGrant> {
    const now = cfg.now()
    const owner = typeof request === 'object' && request !== null ? request.owner : undefined
    try {
      const grant = await issue(request, now)
      emit({ type: 'upload.granted', time: now, subject: owner, key: grant.key, reason: 'ok', expiresAt: grant.expiresAt, method: grant.method })
      return grant
    } catch (error) {
      const reason = isSafePresignError(error) ? error.code : 'INTERNAL'
      emit({ type: 'upload.denied', time: now, subject: typeof owner === 'string' ? owner : undefined, reason, method: cfg.method })
      throw error
    }
  }

  async function issue(request: UploadRequest, nowMs: number): Promise<UploadGrant> {
    if (typeof request !== 'object' || request === null) invalid('INVALID_REQUEST', 'request', request, 'presign needs { owner, contentType, size, ... }')
    if (cfg.method === 'PUT' && request.successRedirect !== undefined) invalid('INVALID_REQUEST', 'successRedirect', request.successRedirect, 'only a POST form is redirected; this builder signs PUT grants')
    const target = uploadTarget(cfg, request, cfg.method === 'POST')
    const { key, stagingKey, contentType, filename } = target
    const { minSize, maxSize } = sizeBounds(request.size)
    const checksum = declaredChecksum(cfg, 'checksum', request.checksum, 'the file')
    const expiresIn = requestLifetime('expiresIn', request.expiresIn, cfg.expiresIn, cfg.expiresIn)
    const signingDate = new Date(nowMs)

    let grant: UploadGrant
    if (cfg.method === 'PUT') {
      const headers: Record<string, string> = { 'content-type': contentType, 'content-length': String(maxSize) }
      if (checksum?.algorithm === 'md5') headers['content-md5'] = checksum.value
      if (checksum?.algorithm === 'sha256') headers['x-amz-checksum-sha256'] = checksum.value
      if (!cfg.overwrite) headers['if-none-match'] = '*'
      // Signed, so the client can set no other ACL; RGW obeys an unsigned x-amz-acl or x-amz-grant-*.
      if (cfg.bucketOwnerAcl) headers['x-amz-acl'] = BUCKET_OWNER_ACL
      // Percent-encoded so any sanitized name is a valid header value; signed like the rest.
      if (filename !== undefined) headers['x-amz-meta-filename'] = encodeURIComponent(filename)
      const signed = await presign(cfg.signer, {
        method: 'PUT',
        bucket: cfg.bucket,
        key: stagingKey ?? key,
        headers,
        // Kept as headers: hoisted into the query, S3 would ignore the checksum.
        // x-amz-acl too: in the query, RGW ignores it and a header of the client's own would win.
        unhoistable: UNHOISTABLE,
        expiresIn,
        signingDate,
      })
      grant = { key, method: 'PUT', url: signed.url, headers, expiresAt: signed.expiresAt }
    } else {
      // success_action_redirect instead of success_action_status: S3 answers 303 to it (with bucket, key
      // and etag in the query), and the policy binds the exact URL.
      const fields: Record<string, string> = redirectField(request.successRedirect)
      const conditions: PostCondition[] = [['content-length-range', minSize, maxSize]]
      if (contentType.endsWith('/*')) conditions.push(['starts-with', '$Content-Type', contentType.slice(0, -1)])
      else fields['Content-Type'] = contentType
      if (filename !== undefined) fields['x-amz-meta-filename'] = encodeURIComponent(filename)
      // An exact field: the policy then holds {"acl": "bucket-owner-full-control"}, and no other ACL passes.
      if (cfg.bucketOwnerAcl) fields.acl = BUCKET_OWNER_ACL
      const signed = await (await loadDeferred()).presignPost(cfg.signer, { bucket: cfg.bucket, key: stagingKey ?? key, fields, conditions, expiresIn, signingDate })
      grant = { key, method: 'POST', url: signed.url, fields: signed.fields, expiresAt: signed.expiresAt }
    }
    // Recorded before it is returned: if the store fails, the signed URL is dropped unseen.
    await createRecord(cfg, pendingRecord(cfg, target, { minSize, maxSize, checksum, createdAt: nowMs, expiresAt: grant.expiresAt }), nowMs)
    return grant
  }

  function redirectField(redirect: unknown): Record<string, string> {
    if (redirect === undefined) return { success_action_status: '201' }
    if (typeof redirect !== 'string' || !cfg.successRedirects.includes(redirect)) {
      invalid('INVALID_REQUEST', 'successRedirect', redirect, cfg.successRedirects.length === 0 ? 'this builder has no `successRedirects`' : `it must be one of the builder's successRedirects: ${cfg.successRedirects.join(', ')}`)
    }
    return { success_action_redirect: redirect }
  }

  function sizeBounds(size: unknown): { minSize: number; maxSize: number } {
    // A single PUT or POST holds at most 5 GiB, even where multipart lets maxSize go further.
    const max = Math.min(cfg.maxSize, MAX_PUT_SIZE_BYTES)
    if (size === undefined) {
      if (cfg.method === 'PUT') invalid('INVALID_REQUEST', 'size', size, 'a PUT grant signs the exact size, so it is required')
      return { minSize: 1, maxSize: max }
    }
    if (!isPositiveInteger(size)) invalid('INVALID_REQUEST', 'size', size, 'it must be a whole number of bytes, at least 1')
    if (size > cfg.maxSize) invalid('FILE_TOO_LARGE', 'size', size, `the maximum is ${cfg.maxSize} bytes`, { limit: cfg.maxSize })
    if (size > max) invalid('FILE_TOO_LARGE', 'size', size, `a single ${cfg.method} holds at most ${MAX_PUT_SIZE_BYTES} bytes (5 GiB): use createMultipart`, { limit: MAX_PUT_SIZE_BYTES })
    return { minSize: size, maxSize: size }
  }

  // Built with the first multipart call: one promise for the builder's life.
  let multipart: Promise<MultipartMethods> | undefined
  const mp = () => (multipart ??= loadDeferred().then((m) => m.multipartMethods(cfg, emit)))

  return {
    presign: presignUpload,
    complete: async (request) => (await loadDeferred()).completeUpload(cfg, emit, request),
    createMultipart: async (request) => (await mp()).createMultipart(request),
    signParts: async (request) => (await mp()).signParts(request),
    listParts: async (request) => (await mp()).listParts(request),
    completeMultipart: async (request) => (await mp()).completeMultipart(request),
    abortMultipart: async (request) => (await mp()).abortMultipart(request),
    sweepMultipart: async (options) => (await mp()).sweepMultipart(options),
    config: Object.freeze({ ...cfg }),
  }
}
