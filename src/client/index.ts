// safe-presign/client: browser uploads through the handler (docs/protocol.md). No Node built-ins, no
// AWS SDK, no dependencies: the browser never signs, never picks a key, and never completes by itself.
export { uploadFile, type UploadOptions, type UploadResult, type ResumeState } from './upload.js'
export { uploadFiles, type UploadFilesOptions, type FileOutcome } from './many.js'
export { SafePresignClientError, isSafePresignClientError, ClientErrorCode, MOST_LIKELY } from './errors.js'
export type { Progress } from './progress.js'
export type { DigestAlgorithm } from './digest.js'
// The protocol's answer shapes, for code that talks to the handler itself.
export type { GrantAnswer, PutGrantAnswer, PostGrantAnswer, MultipartGrantAnswer, PartUrl, PartsListAnswer, CompleteAnswer, Checksum } from './protocol.js'
// md5() and digestBase64() stay internal: the client hashes when the server asks; no other use is promised.
