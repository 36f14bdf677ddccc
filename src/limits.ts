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
