// uploads.signParts() and uploads.listParts(). Part URLs are signed just in time, at most 100 a call,
// each for one part number of one upload, with that part's exact Content-Length (and digest) signed:
// a part URL cannot carry more bytes than the plan gives its part.
import type { Part } from '@aws-sdk/client-s3'
import { command } from '../_internal/s3-commands.js'
import { SafePresignError } from '../errors.js'
import { BUCKET_OWNER_ACL, MAX_PARTS_PER_SIGN } from '../limits.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import { declaredChecksum } from '../policy/upload-request.js'
import { batchSigner, type SignLink } from '../sign/batch.js'
import { signingContext } from '../sign/target.js'
import { invalid } from '../_internal/validate.js'
import { assertOpen, checkRef, objectKeyOf, openUpload, s3Call, type MultipartRecord, type MultipartRef } from './open.js'
import { partLength } from './plan.js'

export interface SignPartsRequest extends MultipartRef {
  /** The parts to sign now: 1..100 distinct part numbers, each with its digest when the builder has `checksum`. */
  parts: readonly { partNumber: number; checksum?: string }[]
}

export interface PartGrant {
  partNumber: number
  url: string
  /** The headers the client sends with this part's PUT (Content-Length is set by browsers themselves). */
  headers: Record<string, string>
  expiresAt: number
}

export interface ListedPart {
  partNumber: number
  size: number
  etag: string
}

export interface ListPartsResult {
  key: string
  uploadId: string
  partSize: number
  partCount: number
  /** The parts S3 holds, in part-number order. */
  parts: ListedPart[]
}

export async function signParts(cfg: ResolvedUploadConfig, request: SignPartsRequest, nowMs: number): Promise<PartGrant[]> {
  const ref = checkRef(cfg, request, 'signParts')
  const parts = (request as { parts?: unknown }).parts
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > MAX_PARTS_PER_SIGN) {
    invalid('INVALID_REQUEST', 'parts', Array.isArray(parts) ? `${parts.length} parts` : parts, `it must list 1 to ${MAX_PARTS_PER_SIGN} parts; sign more in later calls, just in time`, { limit: MAX_PARTS_PER_SIGN })
  }
  const record = await openUpload(cfg, ref, nowMs)
  assertOpen(record, nowMs)
  const { partCount } = record.multipart
  const seen = new Set<number>()
  const wanted = parts.map((part: unknown, i) => {
    const partNumber = (part as { partNumber?: unknown } | null)?.partNumber
    if (typeof partNumber !== 'number' || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > partCount) {
      invalid('INVALID_REQUEST', `parts[${i}].partNumber`, partNumber, `this upload's parts are numbered 1..${partCount}`, { limit: partCount })
    }
    if (seen.has(partNumber)) invalid('INVALID_REQUEST', `parts[${i}].partNumber`, partNumber, 'each part may be asked for once per call')
    seen.add(partNumber)
    return { partNumber, checksum: declaredChecksum(cfg, `parts[${i}].checksum`, (part as { checksum?: unknown }).checksum, `part ${partNumber}`) }
  })
  // Never past the upload's own deadline, and never longer than a grant.
  const expiresIn = Math.min(cfg.expiresIn, Math.floor((record.expiresAt - nowMs) / 1000))
  if (expiresIn < 1) assertOpen({ ...record, expiresAt: nowMs }, nowMs)
  const signingDate = new Date(nowMs)
  // One signing key for the call's parts (sign/batch.ts), signed one after another.
  const sign = await batchSigner(cfg.signer, await signingContext(cfg.signer, cfg.bucket), expiresIn, signingDate, { method: 'PUT', operation: 'UploadPart' })
  const grants: PartGrant[] = []
  for (const part of wanted) grants.push(await signPart(cfg, sign, record, part))
  return grants
}

async function signPart(cfg: ResolvedUploadConfig, sign: SignLink, record: MultipartRecord, part: { partNumber: number; checksum: MultipartRecord['checksum'] }): Promise<PartGrant> {
  const headers: Record<string, string> = { 'content-length': String(partLength(record.multipart, record.maxSize, part.partNumber)) }
  if (part.checksum?.algorithm === 'md5') headers['content-md5'] = part.checksum.value
  // A signed header, never hoisted into the query, where S3 would ignore the checksum.
  if (part.checksum?.algorithm === 'sha256') headers['x-amz-checksum-sha256'] = part.checksum.value
  // RGW evaluates the upload signer's s3:x-amz-acl condition on every part too (as present and empty
  // when absent, measured: 403), so a split setup's part URLs sign the same ACL as its grants.
  if (cfg.bucketOwnerAcl) headers['x-amz-acl'] = BUCKET_OWNER_ACL
  const signed = await sign(objectKeyOf(record), { partNumber: String(part.partNumber), uploadId: record.multipart.uploadId }, headers)
  return { partNumber: part.partNumber, url: signed.url, headers, expiresAt: signed.expiresAt }
}

export async function listParts(cfg: ResolvedUploadConfig, request: MultipartRef, nowMs: number): Promise<ListPartsResult> {
  const ref = checkRef(cfg, request, 'listParts')
  const record = await openUpload(cfg, ref, nowMs)
  // A completed or rejected upload has no parts left to list (S3 dropped them): say which.
  assertOpen(record)
  const parts = await listAllParts(cfg, record)
  if (!parts) throw new SafePresignError('NOT_FOUND', 'S3 has no such multipart upload any more (completed or aborted)', { details: { key: ref.key } })
  return {
    key: record.key,
    uploadId: ref.uploadId,
    partSize: record.multipart.partSize,
    partCount: record.multipart.partCount,
    parts: parts.map((p) => ({ partNumber: p.PartNumber ?? 0, size: p.Size ?? 0, etag: p.ETag ?? '' })),
  }
}

/**
 * Every part S3 holds (ListParts, 1000 a page; at most 10 pages), or undefined when the upload is gone.
 * Listed by the worker (`client`), so the upload signer needs nothing but s3:PutObject.
 */
export async function listAllParts(cfg: ResolvedUploadConfig, record: MultipartRecord): Promise<Part[] | undefined> {
  const out: Part[] = []
  let marker: string | undefined
  for (let page = 0; page <= Math.ceil(record.multipart.partCount / 1000); page++) {
    const listed = await s3Call('ListParts', record.key, () =>
      cfg.client.send(command('ListParts', { Bucket: cfg.bucket, Key: objectKeyOf(record), UploadId: record.multipart.uploadId, PartNumberMarker: marker, MaxParts: 1000 })),
    )
    if (!listed) return undefined
    out.push(...(listed.Parts ?? []))
    if (!listed.IsTruncated) return out
    marker = listed.NextPartNumberMarker
  }
  return out // more pages than a plan can have parts: the plan check refuses the extra ones
}
