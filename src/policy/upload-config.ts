// Validates a createSafeUpload config once, when the builder is created. Everything that can be
// wrong with the config throws INVALID_CONFIG here, naming the option, the value and the limit.
import type { S3Client } from '@aws-sdk/client-s3'
import type { EventHandler } from '../events.js'
import { assertPrefix, ownerSegmentProblem } from '../key/key.js'
import { defaultGenerateId } from '../key/key.js'
import {
  DEFAULT_MAX_PENDING_PER_OWNER,
  DEFAULT_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_MULTIPART_TTL_SECONDS,
  DEFAULT_PART_SIZE_BYTES,
  DEFAULT_PENDING_TTL_SECONDS,
  DEFAULT_UPLOAD_EXPIRY_SECONDS,
  MAX_OBJECT_SIZE_BYTES,
  MAX_PART_SIZE_BYTES,
  MAX_PUT_SIZE_BYTES,
  MIN_PART_SIZE_BYTES,
} from '../limits.js'
import type { OwnershipStore } from '../stores/types.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'
import { parseAllowlist, type ContentTypeAllowlist } from './content-type.js'
import { checkClient, checkStore, checkBucket, checkFunction, checkLifetime } from './common.js'
import type { ScanHook } from '../lifecycle/types.js'

export interface SafeUploadConfig {
  /**
   * Your S3Client. It does the work of `complete()` (HEAD, GET, COPY, DELETE), and signs the grants
   * unless `signer` is given. Nothing else is created.
   */
  client: S3Client
  /**
   * The S3Client whose credentials sign every upload grant (PUT URLs and POST policies). Give it a
   * role that may only `s3:PutObject` on the upload prefix (`signerPolicy({ role: 'upload' })`): a
   * grant is a bearer token, and on stores that obey unsigned `x-amz-*` headers (Ceph RGW) the
   * holder can make it do anything its signer may, such as copy another object (`x-amz-copy-source`).
   * @default client
   */
  signer?: S3Client
  /**
   * Sign `x-amz-acl: bucket-owner-full-control` into every grant (a signed header for PUT, an `eq`
   * field for POST), so objects the signer writes stay readable by the bucket owner, and a client
   * cannot set any other ACL. Needed when the signer is another account or RGW user; accepted by
   * AWS buckets with ACLs disabled (BucketOwnerEnforced). See docs/providers.md.
   * @default true when `signer` is a separate client, else false
   */
  bucketOwnerAcl?: boolean
  /**
   * How many open grants (pending, not yet expired) one owner may hold. One more is refused with
   * TOO_MANY_PENDING, atomically in the store's create call, so one user cannot fill the store.
   * @default 100
   */
  maxPendingPerOwner?: number
  /** The bucket uploads go to. */
  bucket: string
  /**
   * Where keys are created: '' or a path ending in '/', or a function of the owner that returns one.
   * @default 'uploads/'
   * @example ({ owner }) => `users/${owner}/`
   */
  keyPrefix?: string | ((context: { owner: string }) => string)
  /** The content types a client may declare: exact types or `type/*`. Required; `*\/*` is refused. */
  allowedContentTypes: readonly string[]
  /** The largest upload in bytes. Required; at most 5 GiB, or 5 TiB with `multipart`. */
  maxSize: number
  /**
   * Allow multipart uploads (`createMultipart`, `signParts`, `completeMultipart`): needed above 5 GiB,
   * and what browsers and Uppy use for large files. Each part URL signs that part's exact length;
   * the server completes the upload after checking every part.
   * @default false
   * @example multipart: { partSize: 16 * 1024 ** 2 }
   */
  multipart?: boolean | MultipartOptions
  /** Lifetime of a grant in seconds: the default and the maximum a request may ask for. @default 300 */
  expiresIn?: number
  /** `'PUT'` (a presigned URL) or `'POST'` (a browser form with a signed policy; needs `quarantine`). @default 'PUT' */
  method?: 'PUT' | 'POST'
  /** Require the client to declare this digest of the file; it is signed and S3 checks it. PUT only. @default false */
  checksum?: 'md5' | 'sha256' | false
  /** Allow a PUT grant to write more than once (needs `quarantine`). Off: the PUT is create-once (signed `If-None-Match: *`). @default false */
  overwrite?: boolean
  /**
   * POST only: the pages a plain HTML form may return to after the upload (`success_action_redirect`,
   * signed into the policy as an exact value), so a form without JavaScript lands back on your app
   * rather than on the bucket's XML. Exact absolute URLs, https (or http on localhost). A request picks
   * one with `successRedirect`. @default undefined (the form gets S3's 201 XML)
   */
  successRedirects?: readonly string[]
  /** Records who owns each key. */
  store: OwnershipStore
  /** Append an extension derived from the content type (never from the filename) to keys. @default true */
  keyExtension?: boolean
  /** How long a pending record outlives its grant, in seconds, so `complete()` can run. @default 3600 */
  pendingTtl?: number
  /**
   * Land uploads under a quarantine prefix; `complete()` verifies, scans and then promotes them.
   * @default undefined (no quarantine: objects are verified in place)
   */
  quarantine?: { prefix: string; scan?: ScanHook; scanTimeoutMs?: number }
  /** What `complete()` does with a declared type whose bytes cannot be sniffed. @default 'reject' */
  unsniffable?: 'reject' | 'flag'
  /** Receives audit events. A throwing hook never changes a decision. */
  onEvent?: EventHandler
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number
  /** The id generator; must return a lower-case UUIDv4. @default uuid's v4 */
  generateId?: () => string
}

export interface MultipartOptions {
  /** The size of each part but the last, in bytes (5 MiB..5 GiB); grown when 10,000 parts would not hold a file. @default 8 MiB */
  partSize?: number
  /** From this size up, the handler and the client use multipart rather than one PUT. @default 100 MiB */
  threshold?: number
  /** How long a multipart upload may take, from `createMultipart` to `completeMultipart`, in seconds. @default 86400 */
  expiresIn?: number
}

export interface ResolvedUploadConfig {
  client: S3Client
  /** Signs the grants: `signer`, or `client` when none was given. */
  signer: S3Client
  bucketOwnerAcl: boolean
  maxPendingPerOwner: number
  multipart: Required<MultipartOptions> | undefined
  successRedirects: readonly string[]
  bucket: string
  keyPrefix: string | ((context: { owner: string }) => string)
  allowlist: ContentTypeAllowlist
  maxSize: number
  expiresIn: number
  method: 'PUT' | 'POST'
  checksum: 'md5' | 'sha256' | false
  overwrite: boolean
  store: OwnershipStore
  keyExtension: boolean
  pendingTtl: number
  quarantine: { prefix: string; scan: ScanHook | undefined; scanTimeoutMs: number } | undefined
  unsniffable: 'reject' | 'flag'
  onEvent: EventHandler | undefined
  now: () => number
  generateId: () => string
}

/** True when one prefix contains the other: keys under one could then be keys under the other. */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a)
}

/**
 * The prefix for one request. A keyPrefix function runs per request, so what it returns is checked
 * here, against the same rules as a string prefix: inside (or equal to) the quarantine prefix, final
 * keys would be the very keys a replayable grant writes, and the lifecycle rule would expire them.
 */
export function requestPrefix(cfg: ResolvedUploadConfig, owner: string): string {
  if (typeof cfg.keyPrefix === 'string') return cfg.keyPrefix
  // The function may put the owner into the path: it must stay one segment, or `alice/evil` would
  // write under `alice/`.
  const segment = ownerSegmentProblem(owner)
  if (segment) invalid('INVALID_REQUEST', 'owner', owner, `with a keyPrefix function the owner must be one path segment: ${segment}`)
  const prefix = assertPrefix(cfg.keyPrefix({ owner }), 'keyPrefix')
  if (cfg.quarantine && prefixesOverlap(prefix, cfg.quarantine.prefix)) {
    invalid('INVALID_CONFIG', 'keyPrefix', prefix, `the keyPrefix function returned a prefix that overlaps \`quarantine.prefix\` (${JSON.stringify(cfg.quarantine.prefix)})`)
  }
  return prefix
}

export function resolveUploadConfig(config: SafeUploadConfig): ResolvedUploadConfig {
  if (typeof config !== 'object' || config === null) invalid('INVALID_CONFIG', 'config', config, 'createSafeUpload needs an options object')
  const method = config.method ?? 'PUT'
  if (method !== 'PUT' && method !== 'POST') invalid('INVALID_CONFIG', 'method', method, 'it must be "PUT" or "POST"')
  const keyPrefix = config.keyPrefix ?? 'uploads/'
  if (typeof keyPrefix === 'string') assertPrefix(keyPrefix, 'keyPrefix')
  else if (typeof keyPrefix !== 'function') invalid('INVALID_CONFIG', 'keyPrefix', keyPrefix, 'it must be a string or a function of { owner }')
  if (!isPositiveInteger(config.maxSize)) invalid('INVALID_CONFIG', 'maxSize', config.maxSize, 'it must be a whole number of bytes above 0')
  const multipart = resolveMultipart(config.multipart)
  if (!multipart && config.maxSize > MAX_PUT_SIZE_BYTES) {
    invalid('INVALID_CONFIG', 'maxSize', config.maxSize, `the maximum for a single ${method} is ${MAX_PUT_SIZE_BYTES} bytes (5 GiB); set \`multipart\` for up to ${MAX_OBJECT_SIZE_BYTES} (5 TiB)`, { limit: MAX_PUT_SIZE_BYTES })
  }
  if (config.maxSize > MAX_OBJECT_SIZE_BYTES) {
    invalid('INVALID_CONFIG', 'maxSize', config.maxSize, `S3's largest object is ${MAX_OBJECT_SIZE_BYTES} bytes (5 TiB)`, { limit: MAX_OBJECT_SIZE_BYTES })
  }
  const expiresIn = checkLifetime('expiresIn', config.expiresIn ?? DEFAULT_UPLOAD_EXPIRY_SECONDS)
  const checksum = config.checksum ?? false
  if (checksum !== false && checksum !== 'md5' && checksum !== 'sha256') invalid('INVALID_CONFIG', 'checksum', checksum, 'it must be "md5", "sha256" or false')
  if (checksum !== false && method === 'POST') {
    invalid('INVALID_CONFIG', 'checksum', checksum, 'a signed checksum needs method "PUT"; POST uploads are verified by complete() instead')
  }
  if (config.overwrite !== undefined && typeof config.overwrite !== 'boolean') invalid('INVALID_CONFIG', 'overwrite', config.overwrite, 'it must be a boolean')
  const pendingTtl = config.pendingTtl ?? DEFAULT_PENDING_TTL_SECONDS
  if (!isPositiveInteger(pendingTtl)) invalid('INVALID_CONFIG', 'pendingTtl', pendingTtl, 'it must be a whole number of seconds above 0')
  let quarantine: ResolvedUploadConfig['quarantine']
  if (config.quarantine !== undefined) {
    const q = config.quarantine
    if (typeof q !== 'object' || q === null) invalid('INVALID_CONFIG', 'quarantine', q, 'it must be { prefix, scan?, scanTimeoutMs? }')
    assertPrefix(q.prefix, 'quarantine.prefix')
    if (q.prefix === '') invalid('INVALID_CONFIG', 'quarantine.prefix', q.prefix, 'it must not be empty')
    if (typeof keyPrefix === 'string' && prefixesOverlap(keyPrefix, q.prefix)) {
      invalid('INVALID_CONFIG', 'quarantine.prefix', q.prefix, `it must not overlap \`keyPrefix\` (${JSON.stringify(keyPrefix)})`)
    }
    if (q.scan !== undefined) checkFunction(q.scan, 'quarantine.scan')
    const scanTimeoutMs = q.scanTimeoutMs ?? 30_000
    if (!isPositiveInteger(scanTimeoutMs)) invalid('INVALID_CONFIG', 'quarantine.scanTimeoutMs', scanTimeoutMs, 'it must be a whole number of ms above 0')
    quarantine = { prefix: q.prefix, scan: q.scan, scanTimeoutMs }
  }
  // A grant that can write twice (POST has no create-once condition; overwrite drops it) could
  // replace a verified object with unchecked bytes until it expires. Such grants must land in
  // quarantine, where complete() promotes a verified copy that the grant cannot reach.
  if (!quarantine && method === 'POST') {
    invalid('INVALID_CONFIG', 'method', method, 'a POST form can be replayed until it expires (S3 has no create-once POST), which would replace the verified object: set `quarantine: { prefix }`')
  }
  if (!quarantine && config.overwrite === true) {
    invalid('INVALID_CONFIG', 'overwrite', true, 'an overwriting PUT grant could replace the verified object with unchecked bytes until it expires: set `quarantine: { prefix }`')
  }
  const client = checkClient(config.client)
  const signer = config.signer === undefined ? client : checkClient(config.signer, 'signer')
  const bucketOwnerAcl = config.bucketOwnerAcl ?? signer !== client
  if (typeof bucketOwnerAcl !== 'boolean') invalid('INVALID_CONFIG', 'bucketOwnerAcl', bucketOwnerAcl, 'it must be a boolean')
  const maxPendingPerOwner = config.maxPendingPerOwner ?? DEFAULT_MAX_PENDING_PER_OWNER
  if (!isPositiveInteger(maxPendingPerOwner)) invalid('INVALID_CONFIG', 'maxPendingPerOwner', maxPendingPerOwner, 'it must be a whole number of grants above 0')
  const unsniffable = config.unsniffable ?? 'reject'
  if (unsniffable !== 'reject' && unsniffable !== 'flag') invalid('INVALID_CONFIG', 'unsniffable', unsniffable, 'it must be "reject" or "flag"')
  if (config.onEvent !== undefined) checkFunction(config.onEvent, 'onEvent')
  if (config.now !== undefined) checkFunction(config.now, 'now')
  if (config.generateId !== undefined) checkFunction(config.generateId, 'generateId')
  return {
    client,
    signer,
    bucketOwnerAcl,
    maxPendingPerOwner,
    multipart,
    successRedirects: checkRedirects(config.successRedirects, method),
    bucket: checkBucket(config.bucket),
    keyPrefix,
    allowlist: parseAllowlist(config.allowedContentTypes),
    maxSize: config.maxSize,
    expiresIn,
    method,
    checksum,
    overwrite: config.overwrite ?? false,
    store: checkStore(config.store, ['create', 'get', 'transition', 'delete']),
    keyExtension: config.keyExtension ?? true,
    pendingTtl,
    quarantine,
    unsniffable,
    onEvent: config.onEvent,
    now: config.now ?? Date.now,
    generateId: config.generateId ?? defaultGenerateId,
  }
}

function resolveMultipart(value: unknown): Required<MultipartOptions> | undefined {
  if (value === undefined || value === false) return undefined
  if (value !== true && (typeof value !== 'object' || value === null)) invalid('INVALID_CONFIG', 'multipart', value, 'it must be a boolean or { partSize?, threshold?, expiresIn? }')
  const o = value === true ? {} : (value as MultipartOptions)
  const partSize = o.partSize ?? DEFAULT_PART_SIZE_BYTES
  if (!isPositiveInteger(partSize) || partSize < MIN_PART_SIZE_BYTES || partSize > MAX_PART_SIZE_BYTES) {
    invalid('INVALID_CONFIG', 'multipart.partSize', partSize, `it must be whole bytes from ${MIN_PART_SIZE_BYTES} (5 MiB) to ${MAX_PART_SIZE_BYTES} (5 GiB), S3's part limits`, { limit: MIN_PART_SIZE_BYTES })
  }
  const threshold = o.threshold ?? DEFAULT_MULTIPART_THRESHOLD_BYTES
  if (!isPositiveInteger(threshold) || threshold > MAX_PUT_SIZE_BYTES) {
    invalid('INVALID_CONFIG', 'multipart.threshold', threshold, `it must be whole bytes above 0, at most ${MAX_PUT_SIZE_BYTES} (a single PUT's limit)`, { limit: MAX_PUT_SIZE_BYTES })
  }
  return { partSize, threshold, expiresIn: checkLifetime('multipart.expiresIn', o.expiresIn ?? DEFAULT_MULTIPART_TTL_SECONDS) }
}

function checkRedirects(value: unknown, method: 'PUT' | 'POST'): readonly string[] {
  if (value === undefined) return []
  if (method !== 'POST') invalid('INVALID_CONFIG', 'successRedirects', value, 'only a POST form is redirected; a PUT grant has no success_action_redirect')
  if (!Array.isArray(value) || value.length === 0) invalid('INVALID_CONFIG', 'successRedirects', value, 'it must be a non-empty array of absolute URLs')
  for (const entry of value) {
    let url: URL | undefined
    try {
      url = typeof entry === 'string' ? new URL(entry) : undefined
    } catch {
      url = undefined
    }
    const local = url !== undefined && url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
    if (!url || (url.protocol !== 'https:' && !local) || url.hash !== '' || url.username !== '' || url.password !== '') {
      invalid('INVALID_CONFIG', 'successRedirects', entry, 'each must be an absolute https URL (http only on localhost), without a fragment or credentials')
    }
  }
  return Object.freeze([...value])
}
