// Every case where Ceph RGW's answer differs from what AWS documents, in one list. The test S3 follows
// AWS, so a row's `aws` is also the test S3's answer. Suites pick their expectation with
// expectFor(peer, id): a row's two outcomes are stated here once, not scattered in ifs. Each row says
// what RGW does (measured on the harness's RGW 16.2), what AWS documents, and where AWS says so.
// Not a test file (vitest only collects *.test.ts).
import type { Peer, PeerName } from '../../helpers/peers.js'

/** An HTTP outcome as the suites record it: the status and the S3 error code (undefined on success). */
export type HttpOutcome = readonly [status: number, code: string | undefined]

export interface Deviation<T> {
  /** What RGW does. */
  rgwDoes: string
  /** What AWS documents, and so what the test S3 does. */
  awsDoes: string
  /** The AWS page (or the reason) the `aws` side rests on. */
  source: string
  rgw: T
  aws: T
}

const OK: HttpOutcome = [200, undefined]
const DENIED: HttpOutcome = [403, 'AccessDenied']
const BAD_DIGEST: HttpOutcome = [400, 'BadDigest']
const SIGV4_HEADERS = 'https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (every x-amz-* header sent must be signed; S3 answers 403 AccessDenied "There were headers present in the request which were not signed", <HeadersNotSigned>)'
const OWNERSHIP = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html and https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-faq.html (new buckets: BucketOwnerEnforced, ACLs disabled, Block Public Access on)'

const row = <T>(d: Deviation<T>): Deviation<T> => d

export const DEVIATIONS = {
  // ---- unsigned x-amz-* headers on a presigned request ----
  'unsigned-copy-source': row({
    rgwDoes: 'obeys an unsigned x-amz-copy-source on a presigned PUT: the PUT becomes a server-side copy with the signer\'s read rights (200, the source\'s bytes)',
    awsDoes: 'refuses it before anything else: 403 AccessDenied (HeadersNotSigned: x-amz-copy-source)',
    source: SIGV4_HEADERS,
    rgw: { put: OK, copied: true },
    aws: { put: DENIED, copied: false },
  }),
  'unsigned-acl': row({
    rgwDoes: 'applies an unsigned x-amz-acl: public-read on a presigned PUT (200), and the object is then readable anonymously',
    awsDoes: '403 AccessDenied (HeadersNotSigned: x-amz-acl); nothing stored',
    source: SIGV4_HEADERS,
    rgw: { put: OK, anonymousGet: OK },
    aws: { put: DENIED, anonymousGet: DENIED },
  }),
  'unsigned-grant': row({
    rgwDoes: 'applies an unsigned x-amz-grant-read / -write / -full-control on a presigned PUT (200); grant-write even locks the bucket owner out of the object',
    awsDoes: '403 AccessDenied (HeadersNotSigned: x-amz-grant-*); nothing stored',
    source: SIGV4_HEADERS,
    rgw: { put: OK, anonymousGet: OK },
    aws: { put: DENIED, anonymousGet: DENIED },
  }),
  'unsigned-grant-with-signed-acl': row({
    rgwDoes: 'with x-amz-acl signed, an extra unsigned x-amz-grant-* is judged as "canned ACL and grants together": 400 InvalidRequest',
    awsDoes: 'the signature check comes first: 403 AccessDenied (HeadersNotSigned)',
    source: SIGV4_HEADERS,
    rgw: [400, 'InvalidRequest'] as HttpOutcome,
    aws: DENIED,
  }),
  'unsigned-meta': row({
    rgwDoes: 'stores an unsigned x-amz-meta-* header sent with a presigned PUT (200)',
    awsDoes: '403 AccessDenied (HeadersNotSigned: x-amz-meta-*)',
    source: SIGV4_HEADERS,
    rgw: OK,
    aws: DENIED,
  }),
  'unsigned-copy-source-part': row({
    rgwDoes: 'an owner-signed UploadPart URL + unsigned x-amz-copy-source: with a body, 400 RequestTimeout; signed for 0 bytes, the source is copied into the part (200)',
    awsDoes: '403 AccessDenied (HeadersNotSigned: x-amz-copy-source) either way; no part',
    source: SIGV4_HEADERS,
    rgw: { withBody: [400, 'RequestTimeout'] as HttpOutcome, empty: OK, copied: true },
    aws: { withBody: DENIED, empty: DENIED, copied: false },
  }),

  // ---- digests ----
  'checksum-sha256': row({
    rgwDoes: 'does not compare a signed x-amz-checksum-sha256 with the body (PutObject and UploadPart): the other bytes are stored (200), and HeadObject reports no ChecksumSHA256',
    awsDoes: '400 BadDigest, nothing stored; the checksum is kept and returned with x-amz-checksum-mode: ENABLED',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html and https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (x-amz-checksum-sha256)',
    rgw: { put: OK, stored: true },
    aws: { put: BAD_DIGEST, stored: false },
  }),

  // ---- ownership, ACLs and the bucket defaults ----
  'public-acl-default': row({
    rgwDoes: 'a new bucket takes ACLs: PutObject with ACL public-read is applied (200) and an anonymous GET then reads the object (200)',
    awsDoes: 'a new bucket is BucketOwnerEnforced: a PutObject with any ACL but bucket-owner-full-control is 400 AccessControlListNotSupported, and nothing is public',
    source: OWNERSHIP,
    rgw: { put: OK, anonymousGet: OK },
    aws: { put: [400, 'AccessControlListNotSupported'] as HttpOutcome, anonymousGet: DENIED },
  }),
  'object-writer-owns': row({
    rgwDoes: 'an object or multipart upload another user creates without bucket-owner-full-control belongs to that user: the bucket owner may Complete and Abort it but not ListParts (403) nor HEAD/GET the object (403)',
    awsDoes: 'with BucketOwnerEnforced (the default) the bucket owner owns every object and upload: ListParts, HEAD and GET are 200',
    source: OWNERSHIP,
    rgw: { list: DENIED, head: [403, undefined] as HttpOutcome, get: DENIED },
    aws: { list: OK, head: OK, get: OK },
  }),
  'upload-part-acl-key': row({
    rgwDoes: 'evaluates s3:x-amz-acl on UploadPart as present and empty, so an upload signer\'s StringEqualsIfExists s3:x-amz-acl condition fails without a signed x-amz-acl (403)',
    awsDoes: 'UploadPart has no s3:x-amz-acl condition key, so ...IfExists passes: 200',
    source: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html (PutObject condition keys; UploadPart is authorized as s3:PutObject and carries no ACL)',
    rgw: DENIED,
    aws: OK,
  }),
  'upload-owner-lists-parts': row({
    rgwDoes: 'lets the user that created a multipart upload ListParts it, although its policy allows only s3:PutObject (200)',
    awsDoes: 'ListParts needs s3:ListMultipartUploadParts: 403 AccessDenied',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html (Permissions)',
    rgw: OK,
    aws: DENIED,
  }),

  'bucket-defaults': row({
    rgwDoes: 'a new bucket has a stored, all-false public access block, and no Object Ownership API (auditBucket: public-access-block not ok, object-ownership unknown)',
    awsDoes: 'a new bucket has all four Block Public Access flags on and Object Ownership BucketOwnerEnforced (both findings ok)',
    source: OWNERSHIP,
    rgw: { publicAccessBlock: { ok: false, severity: 'high' }, objectOwnership: { ok: false, unknown: true, severity: 'medium' } },
    aws: { publicAccessBlock: { ok: true, severity: 'info' }, objectOwnership: { ok: true, severity: 'info' } },
  }),
  'ownership-controls-api': row({
    rgwDoes: 'has no Object Ownership API: GET ?ownershipControls is answered as a ListObjects (200 <ListBucketResult>), PutBucketOwnershipControls is 400 InvalidArgument',
    awsDoes: 'GET ?ownershipControls answers <OwnershipControls>; PutBucketOwnershipControls BucketOwnerEnforced is 200',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketOwnershipControls.html and https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html',
    rgw: { get: 'ListBucketResult', put: '400 InvalidArgument' },
    aws: { get: 'OwnershipControls', put: '200' },
  }),
  'block-public-acls': row({
    rgwDoes: 'with BlockPublicAcls on, every PutObject is refused (403 AccessDenied), without an ACL or with bucket-owner-full-control',
    awsDoes: 'BlockPublicAcls refuses only requests that carry a public ACL: a PutObject without one, or with bucket-owner-full-control, is 200',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html (BlockPublicAcls)',
    rgw: '403 AccessDenied',
    aws: '200',
  }),
  'put-bucket-logging': row({
    rgwDoes: 'PutBucketLogging is not implemented: 405 MethodNotAllowed (GetBucketLogging answers, without LoggingEnabled)',
    awsDoes: 'PutBucketLogging with LoggingEnabled is 200 (the test S3 stores it and writes no logs)',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLogging.html',
    rgw: [405, 'MethodNotAllowed'] as HttpOutcome,
    aws: OK,
  }),
  'principal-arn-form': row({
    rgwDoes: 'names a user in a policy as arn:aws:iam:::user/<uid> (no account or tenant), and accepts any such name',
    awsDoes: 'an IAM user ARN has the account: arn:aws:iam::<account>:user/<name>; without one PutBucketPolicy is 400 MalformedPolicy "Invalid principal in policy" (the test S3\'s account is 000000000000)',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html (AWS account and IAM user principals)',
    rgw: 'arn:aws:iam:::user/',
    aws: 'arn:aws:iam::000000000000:user/',
  }),
  'policy-principal-case': row({
    rgwDoes: 'a bucket policy with a lower-case principal type ({"aws":"*"}): 400 InvalidArgument',
    awsDoes: '400 MalformedPolicy (invalid principal)',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html and https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (MalformedPolicy)',
    rgw: '400 InvalidArgument',
    aws: '400 MalformedPolicy',
  }),

  // ---- multipart ----
  'complete-if-none-match': row({
    rgwDoes: 'ignores If-None-Match: * on CompleteMultipartUpload: 200, an existing object is replaced',
    awsDoes: '412 PreconditionFailed when the key exists; the object is kept',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html (If-None-Match)',
    rgw: { complete: OK, replaced: true },
    aws: { complete: [412, 'PreconditionFailed'] as HttpOutcome, replaced: false },
  }),
  'complete-mpu-object-size': row({
    rgwDoes: 'ignores x-amz-mp-object-size: a wrong size completes (200)',
    awsDoes: '400 InvalidRequest when it differs from the parts\' total',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html (x-amz-mp-object-size)',
    rgw: OK,
    aws: [400, 'InvalidRequest'] as HttpOutcome,
  }),
  'complete-part-order': row({
    rgwDoes: 'completes a parts list given out of order (2, 1): 200, the parts assembled in part-number order',
    awsDoes: '400 InvalidPartOrder: the list must be in ascending part-number order',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html (Errors: InvalidPartOrder)',
    rgw: OK,
    aws: [400, 'InvalidPartOrder'] as HttpOutcome,
  }),
  'list-parts-after-abort': row({
    rgwDoes: 'ListParts of an aborted upload: 404 NoSuchKey',
    awsDoes: '404 NoSuchUpload',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html and https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (NoSuchUpload)',
    rgw: [404, 'NoSuchKey'] as HttpOutcome,
    aws: [404, 'NoSuchUpload'] as HttpOutcome,
  }),

  // ---- POST ----
  'post-tampered-signature': row({
    rgwDoes: 'a POST form with a changed X-Amz-Signature: 403 AccessDenied',
    awsDoes: '403 SignatureDoesNotMatch',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html and https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (SignatureDoesNotMatch)',
    rgw: DENIED,
    aws: [403, 'SignatureDoesNotMatch'] as HttpOutcome,
  }),

  // ---- CORS ----
  'cors-refused-code': row({
    rgwDoes: 'a preflight no rule allows (no CORS rules, another origin, method or header): 403 AccessDenied',
    awsDoes: '403 Forbidden, "CORSResponse: CORS is not enabled for this bucket" / "This CORS request is not allowed"; the page names no code, AWS\'s error body says AccessForbidden (what the test S3 answers)',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors-troubleshooting.html',
    rgw: DENIED,
    aws: [403, 'AccessForbidden'] as HttpOutcome,
  }),
  'cors-allow-methods': row({
    rgwDoes: 'an allowed preflight\'s Access-Control-Allow-Methods is the one method requested ("PUT")',
    awsDoes: 'the matching rule\'s AllowedMethods, comma-separated ("PUT, POST, GET"); the docs show no preflight answer, this is what S3 sends (and the test S3)',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html (How Amazon S3 evaluates the CORS configuration); no example of the header in AWS\'s docs',
    rgw: 'requested' as 'requested' | 'rule',
    aws: 'rule' as 'requested' | 'rule',
  }),
} as const satisfies Record<string, Deviation<unknown>>

export type DeviationId = keyof typeof DEVIATIONS

const sideOf = (peer: Peer | PeerName): 'rgw' | 'aws' => ((typeof peer === 'string' ? peer : peer.name) === 'rgw' ? 'rgw' : 'aws')

/** What `peer` answers for deviation `id`: RGW's measured outcome, or AWS's documented one (the test S3's). */
export function expectFor<K extends DeviationId>(peer: Peer | PeerName, id: K): (typeof DEVIATIONS)[K]['rgw'] | (typeof DEVIATIONS)[K]['aws'] {
  return DEVIATIONS[id][sideOf(peer)]
}

/** `[name, id]` for a table row: the case name with the deviation's id, so the printed table says why it differs. */
export const deviating = (name: string, id: DeviationId): string => `${name} (deviation: ${id})`
