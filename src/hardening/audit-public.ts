// The auditBucket() checks on who besides you can reach the bucket: the public access block, the
// bucket ACL and Object Ownership (which decides whether ACLs apply at all).
import {
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { quote, read, unknown, type AuditFinding } from './audit-read.js'

// The baseline that is safe on AWS and on Ceph RGW 16. BlockPublicAcls is extra: on AWS it refuses only
// requests that carry a public ACL; on RGW 16 it refuses every PutObject (403), whatever the ACL.
const PAB_BASELINE = ['IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const
const PAB_ADVICE =
  'Set IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets (PutPublicAccessBlock). ' +
  "On AWS also set BlockPublicAcls: it refuses only requests that carry a public ACL, and safe-presign's grants carry bucket-owner-full-control or none. " +
  'On Ceph RGW 16 leave BlockPublicAcls off: there it refuses every PutObject (403)'

export async function publicAccessBlock(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetPublicAccessBlock', bucket, () => client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('public-access-block', 'high', 'The public access block', r.unsupported)
  if ('missing' in r) {
    return { id: 'public-access-block', severity: 'high', ok: false, message: `No public access block: an ACL or policy can make objects public. ${PAB_ADVICE}` }
  }
  const config = r.found.PublicAccessBlockConfiguration ?? {}
  const off = PAB_BASELINE.filter((flag) => config[flag] !== true)
  if (off.length > 0) {
    return { id: 'public-access-block', severity: 'high', ok: false, message: `The public access block is incomplete: ${off.join(', ')} ${off.length === 1 ? 'is' : 'are'} not true. ${PAB_ADVICE}` }
  }
  if (config.BlockPublicAcls === true) {
    return {
      id: 'public-access-block',
      severity: 'info',
      ok: true,
      message: 'The public access block is on (all four flags). On Ceph RGW 16, BlockPublicAcls refuses every PutObject (403): there, turn it off; the other three flags keep public ACLs and policies out',
    }
  }
  return {
    id: 'public-access-block',
    severity: 'info',
    ok: true,
    message:
      'The public access block is on (IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets): public ACLs are ignored, public policies refused. ' +
      "BlockPublicAcls is off: on AWS turn it on too (it refuses only requests that carry a public ACL; safe-presign's grants carry bucket-owner-full-control or none); on Ceph RGW 16 keep it off (it refuses every PutObject)",
  }
}

const GROUPS: Record<string, string> = { allusers: 'AllUsers (anyone, unsigned)', authenticatedusers: 'AuthenticatedUsers (any AWS account, not only yours)' }
const MEANS: Record<string, string> = {
  READ: 'list every key',
  READ_ACP: 'read the ACL',
  WRITE: 'create, overwrite and delete objects',
  WRITE_ACP: 'change the ACL',
  FULL_CONTROL: 'all of these',
}

export async function bucketAcl(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetBucketAcl', bucket, () => client.send(new GetBucketAclCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('bucket-acl', 'high', 'The bucket ACL', r.unsupported)
  const grants = 'found' in r ? (r.found.Grants ?? []) : []
  const open: string[] = []
  let severity: AuditFinding['severity'] = 'high'
  for (const { Grantee, Permission } of grants) {
    const group = /\/groups\/global\/(allusers|authenticatedusers)$/i.exec(Grantee?.URI ?? '')?.[1]?.toLowerCase()
    if (group === undefined) continue
    const permission = Permission ?? 'an unnamed permission'
    // Anything that is not a read (WRITE, WRITE_ACP, FULL_CONTROL, or a permission we do not know) lets strangers change things.
    if (permission !== 'READ' && permission !== 'READ_ACP') severity = 'critical'
    open.push(`${GROUPS[group]} ${quote(permission)}${MEANS[permission] ? ` (${MEANS[permission]})` : ''}`)
  }
  if (open.length === 0) return { id: 'bucket-acl', severity: 'info', ok: true, message: 'The bucket ACL grants nothing to AllUsers or AuthenticatedUsers' }
  return {
    id: 'bucket-acl',
    severity,
    ok: false,
    message: `The bucket ACL is public: it grants ${open.join('; ')}. Remove those grants (PutBucketAcl with ACL "private"); IgnorePublicAcls hides them only while the public access block stays on`,
  }
}

const OWNERSHIP_ADVICE =
  "Set BucketOwnerEnforced (PutBucketOwnershipControls): ACLs then stop applying and the bucket owner owns every object; safe-presign's grants keep working, since S3 still accepts bucket-owner-full-control"

export async function objectOwnership(client: S3Client, bucket: string): Promise<AuditFinding> {
  const noApi = "; where ACLs cannot be turned off, keep uploads on bucket-owner-full-control (bucketOwnerAcl, the default with a separate signer) and IgnorePublicAcls on"
  const r = await read('GetBucketOwnershipControls', bucket, () => client.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('object-ownership', 'medium', 'Object Ownership', r.unsupported, noApi)
  if ('missing' in r) {
    return { id: 'object-ownership', severity: 'medium', ok: false, message: `No Object Ownership setting: the bucket works as ObjectWriter (ACLs apply; an object belongs to whoever wrote it). ${OWNERSHIP_ADVICE}` }
  }
  const setting = r.found.OwnershipControls?.Rules?.[0]?.ObjectOwnership
  // S3 answers OwnershipControlsNotFoundError rather than an empty rule list. Ceph RGW 16 does not know the
  // ?ownershipControls subresource and answers it as a ListObjects (200), which the SDK parses into no rules.
  if (setting === undefined) {
    return unknown('object-ownership', 'medium', 'Object Ownership', 'GetBucketOwnershipControls answered 200 without a rule, so the store does not implement it (Ceph RGW 16 answers with an object listing)', noApi)
  }
  if (setting === 'BucketOwnerEnforced') return { id: 'object-ownership', severity: 'info', ok: true, message: 'Object Ownership is BucketOwnerEnforced: ACLs do not apply and the bucket owner owns every object' }
  if (setting === 'BucketOwnerPreferred') {
    return { id: 'object-ownership', severity: 'low', ok: false, message: `Object Ownership is BucketOwnerPreferred: ACLs still apply, and an object written without bucket-owner-full-control belongs to its writer. ${OWNERSHIP_ADVICE}` }
  }
  return { id: 'object-ownership', severity: 'medium', ok: false, message: `Object Ownership is ${quote(setting)}: ACLs apply, and an object belongs to whoever wrote it. ${OWNERSHIP_ADVICE}` }
}
