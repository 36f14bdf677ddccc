// The split setup on RGW, as docs/hardening.md recommends it: the bucket owner is the worker (it runs
// complete()), and two more RGW users sign: one only uploads, one only downloads. bucketPolicy() with
// `principals` is the only thing that lets them in. Not a test file (vitest only collects *.test.ts).
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import { bucketPolicy, type PolicyDocument } from '../../../src/index.js'
import { createRgwUser, freshBucket, removeBucket, s3ClientFor, type RgwPeer, type RgwUser } from '../../helpers/rgw.js'

export interface SplitSetup {
  bucket: string
  policy: PolicyDocument
  /** Signs upload grants: `s3:PutObject` on the upload prefix, nothing else. */
  uploadSigner: S3Client
  /** Signs download links: `s3:GetObject` on the committed prefix, nothing else. */
  downloadSigner: S3Client
  users: { upload: RgwUser; download: RgwUser }
  /** Removes the policy, the objects and the bucket; destroys the signers' clients. */
  remove(): Promise<void>
}

/** A fresh bucket owned by `worker`'s user, two fresh signer users, and the generated bucket policy applied. */
export async function splitSetup(peer: RgwPeer, worker: S3Client, options: { prefix?: string; quarantinePrefix?: string } = {}): Promise<SplitSetup> {
  const prefix = options.prefix ?? 'uploads/'
  const bucket = await freshBucket(worker)
  const users = { upload: createRgwUser(peer, 'upload-signer'), download: createRgwUser(peer, 'download-signer') }
  const policy = bucketPolicy({ bucket, prefix, quarantinePrefix: options.quarantinePrefix, principals: { upload: [users.upload.arn], download: [users.download.arn] } })
  await worker.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }))
  const uploadSigner = s3ClientFor(peer, { credentials: users.upload.credentials })
  const downloadSigner = s3ClientFor(peer, { credentials: users.download.credentials })
  return {
    bucket,
    policy,
    uploadSigner,
    downloadSigner,
    users,
    async remove() {
      uploadSigner.destroy()
      downloadSigner.destroy()
      await worker.send(new DeleteBucketPolicyCommand({ Bucket: bucket })).catch(() => {})
      await removeBucket(worker, bucket)
    },
  }
}

/**
 * Registers beforeAll/afterAll that build a split setup (and the bucket owner's client) for one describe
 * block, and tear it down. Read the values inside tests: `const { owner, split } = fixture()`.
 */
export function splitFixture(peer: RgwPeer, options: { prefix?: string; quarantinePrefix?: string } = {}): () => { owner: S3Client; split: SplitSetup } {
  let owner: S3Client | undefined
  let split: SplitSetup | undefined
  beforeAll(async () => {
    owner = s3ClientFor(peer)
    split = await splitSetup(peer, owner, options)
  })
  afterAll(async () => {
    await split?.remove()
    owner?.destroy()
  })
  return () => {
    if (!owner || !split) throw new Error('splitFixture: read it inside a test, after beforeAll')
    return { owner, split }
  }
}
