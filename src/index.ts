// The public API of safe-presign. Every export is named here.
// Store adapters live in subpaths (safe-presign/stores/redis, /postgres, /dynamodb) so that the core
// never imports a database client; the conformance suite lives in safe-presign/testing.

export {
  createSafeUpload,
  type SafeUpload,
  type SafeUploadConfig,
  type UploadRequest,
  type UploadGrant,
  type PutGrant,
  type PostGrant,
  type MultipartOptions,
  type MultipartRequest,
  type MultipartUpload,
  type MultipartRef,
  type SignPartsRequest,
  type PartGrant,
  type ListPartsResult,
  type AbortResult,
  type SweepMultipartResult,
} from './upload.js'
export { planParts, partLength, type PartPlan } from './multipart/plan.js'
export {
  createSafeDownload,
  type SafeDownload,
  type SafeDownloadConfig,
  type DownloadRequest,
  type DownloadLink,
  type BatchResult,
  type TicketRequest,
  type DownloadTicket,
} from './download.js'
export type { CompleteRequest, CompleteResult } from './lifecycle/complete.js'
export type { ScanHook, ScanTarget } from './lifecycle/types.js'
export { ACTIVE_CONTENT_TYPES, isActiveContentType } from './policy/content-type.js'

export { SafePresignError, isSafePresignError, ErrorCode, type SafePresignErrorOptions } from './errors.js'
export type { SafePresignEvent, SafePresignEventType, EventHandler } from './events.js'

export { sanitizeFilename, safeSanitizeFilename, filenameExtension, DEFAULT_MAX_FILENAME_BYTES, type SanitizeFilenameOptions, type SanitizeFilenameResult } from './key/filename.js'
export { contentDisposition, type ContentDispositionOptions, type DispositionType } from './key/content-disposition.js'

export { memoryStore, DEFAULT_MEMORY_MAX_RECORDS, DEFAULT_MEMORY_MAX_TICKETS, type MemoryStoreOptions } from './stores/memory.js'
export type { OwnershipStore, UploadRecord, UploadState, TicketRecord, ConsumeResult, RecordPatch, CreateOptions, CreateResult } from './stores/types.js'

export { quarantineLifecycleRule, multipartLifecycleRule } from './hardening/lifecycle-rule.js'
export { signerPolicy, SIGNER_CAPABILITIES, SIGNER_ROLES, DEFAULT_MAX_SIGNATURE_AGE_SECONDS, type SignerPolicyOptions, type SignerCapability, type SignerRole, type PolicyDocument, type PolicyStatement } from './hardening/iam.js'
export { bucketPolicy, type BucketPolicyOptions } from './hardening/bucket-policy.js'
export { corsConfiguration, CORS_ALLOWED_HEADERS, CORS_METHODS, MAX_CORS_MAX_AGE_SECONDS, type CorsOptions, type CorsMethod } from './hardening/cors.js'
export { auditBucket, type AuditFinding, type AuditOptions } from './hardening/audit.js'
export { probeBucket, PROBE_FINDING_IDS, DEFAULT_PROBE_TIMEOUT_MS, type ProbeFinding, type ProbeOptions, type ProbeResult, type ProbeSeverity } from './probe/probe.js'
export { redact } from './_internal/redact.js'

export {
  MAX_PRESIGNED_EXPIRY_SECONDS,
  DEFAULT_UPLOAD_EXPIRY_SECONDS,
  DEFAULT_DOWNLOAD_EXPIRY_SECONDS,
  MAX_TICKET_LINK_EXPIRY_SECONDS,
  DEFAULT_TICKET_TTL_SECONDS,
  MAX_PUT_SIZE_BYTES,
  MAX_KEY_BYTES,
  DEFAULT_PENDING_TTL_SECONDS,
  MAX_BATCH_KEYS,
  MAX_FILENAME_INPUT_BYTES,
  MAX_SUBJECT_LENGTH,
  DEFAULT_MAX_PENDING_PER_OWNER,
  BUCKET_OWNER_ACL,
  MAX_MULTIPART_PARTS,
  MIN_PART_SIZE_BYTES,
  MAX_PART_SIZE_BYTES,
  MAX_OBJECT_SIZE_BYTES,
  MAX_PARTS_PER_SIGN,
  DEFAULT_PART_SIZE_BYTES,
  DEFAULT_MULTIPART_THRESHOLD_BYTES,
  DEFAULT_MULTIPART_TTL_SECONDS,
  SNIFF_BYTES,
} from './limits.js'
