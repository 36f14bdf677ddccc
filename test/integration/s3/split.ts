// The split setup, as docs/hardening.md recommends it: the bucket owner is the worker (it runs
// complete()), and two more users sign: one only uploads, one only downloads. On RGW they are extra RGW
// users that bucketPolicy({ principals }) lets in; on the test S3 they are principals with
// signerPolicy({ role }) as their identity policy (same account: that is all IAM needs). See peers.ts.
// Not a test file (vitest only collects *.test.ts).
import { DeleteBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import type { PolicyDocument } from '../../../src/index.js'
import { rgwAsPeer, type Peer, type PeerUser } from '../../helpers/peers.js'
import type { RgwPeer } from '../../helpers/rgw.js'

export interface SplitSetup {
  bucket: string
  /** The bucket policy applied (RGW); undefined where identity policies do it (the test S3). */
  policy: PolicyDocument | undefined
  /** Signs upload grants: `s3:PutObject` on the upload prefix, nothing else. */
  uploadSigner: S3Client
  /** Signs download links: `s3:GetObject` on the committed prefix, nothing else. */
  downloadSigner: S3Client
  users: { upload: PeerUser; download: PeerUser }
  /** Removes the policy, the objects and the bucket; destroys the signers' clients. */
  remove(): Promise<void>
}

/** An RgwPeer (the suites not yet on peers.ts pass one) is RGW. */
const asPeer = (peer: Peer | RgwPeer): Peer => ('name' in peer ? peer : rgwAsPeer(peer))

/** A fresh bucket owned by `worker`'s user, two fresh signer users, and what the peer needs to admit them. */
export async function splitSetup(peerOrRgw: Peer | RgwPeer, worker: S3Client, options: { prefix?: string; quarantinePrefix?: string } = {}): Promise<SplitSetup> {
  const peer = asPeer(peerOrRgw)
  const scope = { bucket: await peer.freshBucket(), prefix: options.prefix ?? 'uploads/', quarantinePrefix: options.quarantinePrefix }
  const users = { upload: peer.createUser('upload-signer', 'upload', scope), download: peer.createUser('download-signer', 'download', scope) }
  const policy = await peer.admitUsers(worker, scope, users)
  const uploadSigner = peer.client({ credentials: users.upload.credentials })
  const downloadSigner = peer.client({ credentials: users.download.credentials })
  return {
    bucket: scope.bucket,
    policy,
    uploadSigner,
    downloadSigner,
    users,
    async remove() {
      uploadSigner.destroy()
      downloadSigner.destroy()
      if (policy) await worker.send(new DeleteBucketPolicyCommand({ Bucket: scope.bucket })).catch(() => {})
      await peer.removeBucket(worker, scope.bucket)
    },
  }
}

/**
 * Registers beforeAll/afterAll that build a split setup (and the bucket owner's client) for one describe
 * block, and tear it down. Read the values inside tests: `const { owner, split } = fixture()`.
 */
export function splitFixture(peerOrRgw: Peer | RgwPeer, options: { prefix?: string; quarantinePrefix?: string } = {}): () => { owner: S3Client; split: SplitSetup } {
  const peer = asPeer(peerOrRgw)
  let owner: S3Client | undefined
  let split: SplitSetup | undefined
  beforeAll(async () => {
    owner = peer.client()
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
