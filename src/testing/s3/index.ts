/**
 * `safe-presign/testing/s3`: a strict S3 for your own tests, in this process, on loopback. It
 * enforces what AWS documents (SigV4 and every unsigned x-amz-* header refused, Content-Length and
 * digests, If-None-Match, POST policies, multipart bindings, CORS, IAM identity policies), so a test can
 * show that an oversized, replayed or retyped upload is refused. Needs no vitest; see docs/testing.md.
 */
export { startTestS3 } from './server.js'
export type { TestS3, TestS3Options, TestS3Credentials, TestS3Principal, TestS3PrincipalOptions, TestS3Fault, TestS3RequestLog, TestS3Policy, TestS3Statement } from './types.js'
