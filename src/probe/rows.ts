// Every row the probe reports: its severity, what a safe store answers, and the remedy. One table, so
// the docs, the CLI and the checks agree; a check only adds `ok` and `observed`.
import type { ProbeFinding, ProbeSeverity } from './types.js'

interface RowSpec {
  severity: ProbeSeverity
  expected: string
  remedy: string
}

const SPLIT = 'use a separate signer (`createSafeUpload({ signer })`, `signerPolicy({ role: \'upload\' })`) and apply `bucketPolicy({ principals: { upload: [signerArn] } })`'

export const PROBE_ROWS = {
  'put-supported': { severity: 'high', expected: 'an honest PUT grant is accepted (2xx) and `client` can HEAD the object', remedy: 'the refusals below mean nothing until an honest PUT works: check the signer\'s s3:PutObject on the prefix, the endpoint and the region' },
  'tampered-signature': { severity: 'critical', expected: 'a PUT with one hex digit of X-Amz-Signature changed is refused (403)', remedy: 'do not use this store for presigned uploads: it does not verify signatures' },
  expired: { severity: 'critical', expected: 'a PUT grant signed 10 minutes ago for 60 s is refused (403)', remedy: 'do not rely on grant expiry on this store; check its clock (NTP) and its SigV4 implementation' },
  'other-key': { severity: 'critical', expected: 'the grant\'s URL with another key in the path is refused (403), nothing stored there', remedy: 'do not use this store for presigned uploads: the key is not bound by the signature' },
  'content-length': { severity: 'high', expected: 'a body one byte longer than the signed Content-Length is refused', remedy: 'run `complete()` on every upload (it checks the size), and add `quarantine` so unchecked bytes are never served' },
  'content-type': { severity: 'medium', expected: 'another Content-Type than the signed one is refused (403)', remedy: 'run `complete()` (it re-checks the stored type and sniffs the bytes) and serve downloads with `createSafeDownload`' },
  'content-md5': { severity: 'medium', expected: 'with `checksum: \'md5\'`, other bytes of the same length are refused (400 BadDigest)', remedy: 'run `complete()`: it re-hashes the object and rejects a mismatch' },
  'checksum-sha256': { severity: 'medium', expected: 'with `checksum: \'sha256\'`, other bytes of the same length are refused (400 BadDigest)', remedy: 'run `complete()`: it hashes the bytes and rejects a mismatch (CHECKSUM_MISMATCH)' },
  'if-none-match': { severity: 'high', expected: 'the same create-once URL used a second time is refused (412)', remedy: 'use `quarantine: { prefix }` so a replayed grant only rewrites the staging object that `complete()` promotes once' },
  'unsigned-meta': { severity: 'low', expected: 'an extra unsigned x-amz-meta-* header is refused, or not stored', remedy: 'treat object metadata as client-written; safe-presign reads only the metadata it signed' },
  'unsigned-acl': { severity: 'high', expected: 'an unsigned `x-amz-acl: public-read` is refused, or the object stays private to anonymous GETs', remedy: `${SPLIT}; its x-amz-acl condition and the signed bucket-owner-full-control stop it` },
  'unsigned-grant': { severity: 'high', expected: 'an unsigned `x-amz-grant-read` for AllUsers is refused, or the object stays private', remedy: `${SPLIT}; on AWS, also set Object Ownership BucketOwnerEnforced (ACLs disabled)` },
  'unsigned-copy-source': { severity: 'critical', expected: 'a PUT grant plus an unsigned `x-amz-copy-source` copies neither an object of `client` nor another upload of the signer', remedy: `${SPLIT}: it denies the upload signer every read, so a grant cannot copy anything` },
  'post-supported': { severity: 'info', expected: 'an honest POST form is accepted (2xx) and stored under quarantine', remedy: 'this store does not take POST uploads: use `method: \'PUT\'`' },
  'post-length-range': { severity: 'high', expected: 'a POST one byte over the policy\'s content-length-range is refused', remedy: 'do not use POST grants on this store (`method: \'PUT\'`), or always run `complete()` before anything reads the object' },
  'post-extra-field': { severity: 'medium', expected: 'a POST form with a field no policy condition covers is refused', remedy: 'do not use POST grants on this store (`method: \'PUT\'`)' },
  'cors-foreign-origin': { severity: 'medium', expected: 'a PUT preflight from https://probe.invalid gets no Access-Control-Allow-Origin', remedy: 'apply `corsConfiguration({ origins: [yourOrigin] })` with PutBucketCors' },
  'signer-separate': { severity: 'high', expected: 'grants are signed by another identity than `client`, one that may only s3:PutObject on the prefix', remedy: SPLIT },
} as const satisfies Record<string, RowSpec>

export type ProbeRowId = keyof typeof PROBE_ROWS

/** The stable ids, in the order the probe reports them. */
export const PROBE_FINDING_IDS = Object.keys(PROBE_ROWS) as readonly ProbeRowId[]

/** A measured row: the spec's severity, expectation and remedy, plus what was seen. */
export function finding(id: ProbeRowId, ok: boolean, observed: string): ProbeFinding {
  const row: RowSpec = PROBE_ROWS[id]
  return { id, ok, severity: row.severity, expected: row.expected, observed, remedy: row.remedy }
}
