/** Hard limits and secure defaults. Exported so callers can show them and tests can cite them. */

/** SigV4's ceiling for a presigned URL's lifetime: 7 days. */
export const MAX_PRESIGNED_EXPIRY_SECONDS = 604_800
/** Default lifetime of an upload grant. */
export const DEFAULT_UPLOAD_EXPIRY_SECONDS = 300
/** Default lifetime (and default cap) of a download link. */
export const DEFAULT_DOWNLOAD_EXPIRY_SECONDS = 60
/** A link redeemed from a single-use ticket lives at most this long. */
export const MAX_TICKET_LINK_EXPIRY_SECONDS = 30
/** Default lifetime of an unredeemed download ticket. */
export const DEFAULT_TICKET_TTL_SECONDS = 300
/** S3's largest single PUT (and POST) object: 5 GiB. */
export const MAX_PUT_SIZE_BYTES = 5 * 1024 ** 3
/** S3's longest object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024
/** The most keys one presignMany call may ask for: one store round trip stays bounded. */
export const MAX_BATCH_KEYS = 1000
/** How many leading bytes `complete()` fetches for sniffing (file-type needs up to 4100). */
export const SNIFF_BYTES = 4100
/** How long a pending record outlives its grant by default, so `complete()` can still run. */
export const DEFAULT_PENDING_TTL_SECONDS = 3600

/** How many open upload grants one owner may hold by default (`maxPendingPerOwner`). */
export const DEFAULT_MAX_PENDING_PER_OWNER = 100

/**
 * The longest filename `sanitizeFilename` will look at, in UTF-8 bytes, checked before any work:
 * PATH_MAX on Linux, so any path a client might send in full still fits, and a 10 MB name costs nothing.
 */
export const MAX_FILENAME_INPUT_BYTES = 4096
/**
 * The longest owner or requester id, in UTF-16 code units. Emails (254), OIDC `sub` (255) and
 * UUIDs fit with room to spare; a megabyte of id only fills stores and logs.
 */
export const MAX_SUBJECT_LENGTH = 1024

/** S3's multipart limits: parts per upload, the smallest part but the last, the largest part, the largest object. */
export const MAX_MULTIPART_PARTS = 10_000
export const MIN_PART_SIZE_BYTES = 5 * 1024 ** 2
export const MAX_PART_SIZE_BYTES = 5 * 1024 ** 3
export const MAX_OBJECT_SIZE_BYTES = 5 * 1024 ** 4
/** The most part URLs one `signParts` call returns: URLs are signed just in time, not all up front. */
export const MAX_PARTS_PER_SIGN = 100
/** The part size a plan uses unless asked otherwise (grown when 10,000 parts would not hold the file). */
export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 ** 2
/** Files from this size up are sent in parts by the client and handler, by default (Uppy's threshold). */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 100 * 1024 ** 2
/** How long a multipart upload may take, from createMultipart to completeMultipart, by default. */
export const DEFAULT_MULTIPART_TTL_SECONDS = 86_400

/** The canned ACL grants carry when `bucketOwnerAcl` is on: the bucket owner gets full control. */
export const BUCKET_OWNER_ACL = 'bucket-owner-full-control'
