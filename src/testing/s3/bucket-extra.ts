// The bucket settings kept in `Bucket.extra`: whether the public access block and Object Ownership were
// deleted (S3 then answers NoSuch… on GET, though the flags still decide), explicit ACL grants, the
// default encryption, and tags.
import type { Bucket } from './state.js'

export interface AclGrant {
  grantee: { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string } | { type: 'AmazonCustomerByEmail'; email: string }
  permission: 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP'
}

export interface Encryption {
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse'
  kmsKeyId?: string
  bucketKeyEnabled: boolean
}

export interface BucketExtra {
  /** DeletePublicAccessBlock ran: no configuration, every flag off. */
  noPublicAccessBlock?: true
  /** DeleteBucketOwnershipControls ran: no configuration, ACLs apply as ObjectWriter. */
  noOwnershipControls?: true
  /** Grants from x-amz-grant-* or an AccessControlPolicy body; undefined: those of `settings.acl`. */
  aclGrants?: AclGrant[]
  /** undefined: S3's default since January 2023, SSE-S3 (AES256). */
  encryption?: Encryption
  tags?: { key: string; value: string }[]
}

export const extraOf = (bucket: Bucket): BucketExtra => bucket.extra
