// auditBucket()'s multipart-cleanup check: S3 keeps, and bills, the parts of every multipart upload
// nobody completes or aborts. A lifecycle rule with AbortIncompleteMultipartUpload is S3's own backstop
// for sweepMultipart() (multipartLifecycleRule() writes one).
import { GetBucketLifecycleConfigurationCommand, type S3Client } from '@aws-sdk/client-s3'
import { read, unknown, type AuditFinding } from './audit-read.js'

export async function multipartCleanup(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetBucketLifecycleConfiguration', bucket, () => client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('multipart-cleanup', 'low', 'The lifecycle configuration', r.unsupported)
  const rules = 'found' in r ? (r.found?.Rules ?? []) : []
  const aborting = rules.filter((rule) => rule.Status === 'Enabled' && rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined)
  if (aborting.length === 0) {
    return {
      id: 'multipart-cleanup',
      severity: 'low',
      ok: false,
      message: 'No lifecycle rule aborts incomplete multipart uploads: parts of uploads nobody completes stay, billed, until aborted. Add multipartLifecycleRule() and run sweepMultipart()',
    }
  }
  const where = aborting.map((rule) => `${JSON.stringify(rule.Filter?.Prefix ?? rule.Prefix ?? '')} after ${rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation} day(s)`)
  return { id: 'multipart-cleanup', severity: 'info', ok: true, message: `Incomplete multipart uploads are aborted by lifecycle: ${where.join('; ')}` }
}
