// Everything the test S3 holds, in memory: buckets with their settings, objects, open multipart
// uploads, principals, and the byte count against the cap.

import type { BucketExtra } from './bucket-extra.js'

export interface StoredObject {
  key: string
  body: Uint8Array
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of the part md5s>-<parts>"` after multipart. */
  etag: string
  lastModified: number
  contentType: string
  /** Content-Encoding, -Language, -Disposition, Cache-Control, Expires, as stored with the object. */
  headers: Record<string, string>
  /** x-amz-meta-* names (lower-case, without the prefix) and values. */
  metadata: Record<string, string>
  /** Flexible checksums stored with the object (algorithm lower-case → base64), for x-amz-checksum-mode. */
  checksums: Record<string, string>
  /** The canned ACL it was written with ('private' when none). Only kept with ACLs enabled. */
  acl: string
  /** Who wrote it (principal name, 'root'): with ACLs enabled, the object writer owns it. */
  owner: string
  /** The part count of a multipart object, for `x-amz-mp-parts-count` and PartNumber reads. */
  parts?: { size: number; etag: string }[]
}

export interface UploadPart {
  partNumber: number
  body: Uint8Array
  etag: string
  lastModified: number
  checksums: Record<string, string>
}

export interface MultipartUpload {
  uploadId: string
  key: string
  initiated: number
  initiator: string
  contentType: string
  headers: Record<string, string>
  metadata: Record<string, string>
  acl: string
  /** The checksum algorithm named at create (x-amz-checksum-algorithm), lower-case. */
  checksumAlgorithm?: string
  /** x-amz-checksum-type at create: how the object's checksum is made of the parts'. */
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT'
  parts: Map<number, UploadPart>
}

/** The bucket settings the test S3 stores (and, where docs/testing.md says so, enforces). */
export interface BucketSettings {
  /** CORS rules as parsed from PutBucketCors. Enforced. */
  cors?: CorsRule[]
  /** The policy document text. Stored and returned; not enforced. */
  policy?: string
  /** Lifecycle configuration XML as sent. Stored and returned; not enforced (nothing expires). */
  lifecycle?: string
  /** Public access block flags. Enforced for ACLs (BlockPublicAcls, IgnorePublicAcls). */
  publicAccessBlock: { BlockPublicAcls: boolean; IgnorePublicAcls: boolean; BlockPublicPolicy: boolean; RestrictPublicBuckets: boolean }
  /** Object Ownership. Enforced: BucketOwnerEnforced (AWS's default) refuses ACLs but bucket-owner-full-control. */
  ownership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter'
  /** Versioning status as set. Stored and returned; not enforced (one version per key). */
  versioning?: 'Enabled' | 'Suspended'
  /** Logging configuration XML as sent. Stored and returned; no logs are written. */
  logging?: string
  /** The bucket's canned ACL. Stored and returned. */
  acl: string
}

export interface CorsRule {
  id?: string
  allowedOrigins: string[]
  allowedMethods: string[]
  allowedHeaders: string[]
  exposeHeaders: string[]
  maxAgeSeconds?: number
}

export interface Bucket {
  name: string
  created: number
  objects: Map<string, StoredObject>
  uploads: Map<string, MultipartUpload>
  settings: BucketSettings
  /** The settings whose shape lives with their handlers (bucket-extra.ts): deleted configurations, grants, encryption, tags. */
  extra: BucketExtra
}

export interface Principal {
  name: string
  arn: string
  accessKeyId: string
  secretAccessKey: string
  /** undefined: the root (bucket owner), allowed everything. */
  policies?: readonly unknown[]
}

export interface State {
  region: string
  buckets: Map<string, Bucket>
  principals: Map<string, Principal>
  root: Principal
  maxBytes: number
  usedBytes: number
  now: () => number
  /** Monotonic counter for request ids and upload ids. */
  counter: number
}

export function defaultSettings(): BucketSettings {
  // AWS's defaults for a bucket created since April 2023: public access fully blocked, ACLs disabled.
  return {
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    ownership: 'BucketOwnerEnforced',
    acl: 'private',
  }
}

export function newBucket(name: string, now: number): Bucket {
  return { name, created: now, objects: new Map(), uploads: new Map(), settings: defaultSettings(), extra: {} }
}
