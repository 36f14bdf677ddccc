// The S3 peers an integration suite runs on, in one shape: `rgw` (Ceph RGW, the endpoint global-setup
// started or S3_ENDPOINT: see rgw.ts) and `test-s3` (the strict test S3, startTestS3(), started in the
// test file's own process and never missing). RGW is a real S3 that departs from AWS in places; the test
// S3 follows AWS's documentation. deviations.ts lists where they differ; describePeers() registers a
// suite once per peer, its name ending in the peer's: "upload-put [rgw]", "upload-put [test-s3]".
import { randomBytes } from 'node:crypto'
import { PutBucketPolicyCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import { bucketPolicy, signerPolicy, type PolicyDocument, type SignerRole } from '../../src/index.js'
import { startTestS3, type TestS3 } from '../../src/testing/s3/index.js'
import { describeWithServer } from './env.js'
import { createRgwUser, freshBucket, removeBucket, rgwPeer, s3ClientFor, usersMissing, type RgwPeer } from './rgw.js'

export type PeerName = 'rgw' | 'test-s3'
export const PEER_NAMES: readonly PeerName[] = ['rgw', 'test-s3']

export interface PeerCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Where a split-setup signer may act: the bucket, its final prefix and (optionally) the quarantine prefix. */
export interface UserScope {
  bucket: string
  prefix: string
  quarantinePrefix?: string
}

/** A user that signs for one role of the split setup (docs/hardening.md). */
export interface PeerUser {
  name: string
  role: SignerRole
  /** The principal a bucket policy names (RGW's form has no account), or the test S3's IAM user ARN. */
  arn: string
  credentials: { accessKeyId: string; secretAccessKey: string }
}

export interface Peer {
  readonly name: PeerName
  /** Why this peer cannot run here (RGW only); undefined when it can. */
  readonly missing: string | undefined
  /** Why extra users cannot be made (RGW: radosgw-admin and ceph.conf); undefined when they can. */
  readonly usersMissing: string | undefined
  /** Read these inside hooks and tests: the test S3 only exists after beforeAll. */
  readonly endpoint: string
  readonly region: string
  /** The bucket owner's keys. */
  readonly credentials: PeerCredentials
  /** Path-style, checksums only where an operation requires them (RGW 16.2 predates the SDK's CRC32 default). */
  client(extra?: Partial<S3ClientConfig>): S3Client
  /** A new empty bucket (`t-` and 16 hex digits) owned by `credentials`; returns its name. */
  freshBucket(): Promise<string>
  /** Deletes the bucket and what it holds (on the test S3 nothing outlives close(): a no-op). */
  removeBucket(client: S3Client, bucket: string): Promise<void>
  /** A split-setup signer limited to `role` within `scope`; on RGW it still needs admitUsers(). */
  createUser(label: string, role: SignerRole, scope: UserScope): PeerUser
  /**
   * What else `users` need to act in `scope`: on RGW (users of other accounts, in effect) a bucket policy
   * naming them, applied with `owner`; on the test S3 nothing, since a same-account identity policy is
   * all IAM needs. Returns the bucket policy applied, if any.
   */
  admitUsers(owner: S3Client, scope: UserScope, users: { upload: PeerUser; download: PeerUser }): Promise<PolicyDocument | undefined>
  /** RGW's own details (radosgw-admin's cluster); undefined on the test S3. */
  readonly rgw: RgwPeer | undefined
  /** The running test S3; undefined on RGW. */
  readonly testS3: TestS3 | undefined
}

/** The RGW peer in the shared shape (also wraps an RgwPeer a support file was given). */
export function rgwAsPeer(rgw: RgwPeer = rgwPeer()): Peer {
  return {
    name: 'rgw',
    missing: rgw.missing,
    usersMissing: usersMissing(rgw),
    get endpoint() {
      if (!rgw.endpoint) throw new Error(`rgw peer: no endpoint (${rgw.missing ?? 'not provided'})`)
      return rgw.endpoint
    },
    region: rgw.region,
    get credentials() {
      if (!rgw.credentials) throw new Error(`rgw peer: no credentials (${rgw.missing ?? 'not provided'})`)
      return rgw.credentials
    },
    client: (extra) => s3ClientFor(rgw, extra),
    async freshBucket() {
      const client = s3ClientFor(rgw)
      try {
        return await freshBucket(client)
      } finally {
        client.destroy()
      }
    },
    removeBucket,
    createUser(label, role) {
      const user = createRgwUser(rgw, label)
      return { name: user.uid, role, arn: user.arn, credentials: user.credentials }
    },
    async admitUsers(owner, scope, users) {
      const policy = bucketPolicy({ ...scope, principals: { upload: [users.upload.arn], download: [users.download.arn] } })
      await owner.send(new PutBucketPolicyCommand({ Bucket: scope.bucket, Policy: JSON.stringify(policy) }))
      return policy
    },
    rgw,
    testS3: undefined,
  }
}

/**
 * The test S3 peer. `start()` and `close()` belong in beforeAll/afterAll (describePeers registers them);
 * everything else is read after start().
 */
export function testS3Peer(): Peer & { start(): Promise<void>; close(): Promise<void> } {
  let s3: TestS3 | undefined
  const running = (): TestS3 => {
    if (!s3) throw new Error('test-s3 peer: not started yet; read it inside beforeAll or a test')
    return s3
  }
  return {
    name: 'test-s3',
    missing: undefined,
    usersMissing: undefined,
    get endpoint() {
      return running().endpoint
    },
    region: 'us-east-1',
    get credentials() {
      return running().credentials
    },
    client(extra) {
      const { endpoint, region, credentials } = running()
      return new S3Client({ region, endpoint, credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...extra })
    },
    async freshBucket() {
      return running().createBucket(`t-${randomBytes(8).toString('hex')}`)
    },
    async removeBucket() {},
    createUser(label, role, scope) {
      const name = `${label}-${randomBytes(4).toString('hex')}`
      const principal = running().addPrincipal({ name, policy: signerPolicy({ role, ...scope }) })
      return { name, role, arn: principal.arn, credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey } }
    },
    async admitUsers() {
      return undefined
    },
    rgw: undefined,
    get testS3() {
      return s3
    },
    async start() {
      s3 ??= await startTestS3({ region: 'us-east-1' })
    },
    async close() {
      await s3?.close()
      s3 = undefined
    },
  }
}

/** The peers this run uses: both, or those S3_PEERS names (e.g. `S3_PEERS=test-s3`). */
export function selectedPeers(): PeerName[] {
  const raw = process.env.S3_PEERS?.trim()
  if (!raw) return [...PEER_NAMES]
  const names = raw.split(',').map((s) => s.trim())
  for (const n of names) if (!(PEER_NAMES as readonly string[]).includes(n)) throw new Error(`S3_PEERS: unknown peer ${JSON.stringify(n)} (known: ${PEER_NAMES.join(', ')})`)
  return names as PeerName[]
}

export interface DescribePeersOptions {
  /** The suite needs split-setup users: on RGW it then needs radosgw-admin too. */
  users?: boolean
  /** Only these peers, for a case that is truly one peer's (say why in the suite's name). */
  only?: readonly PeerName[]
}

/**
 * Registers `fn` once per peer, as `${name} [${peer}]`: RGW through describeWithServer (skipped with a
 * reason when missing, failing under CI=true), the test S3 started in beforeAll and closed in afterAll
 * (registered first, so its afterAll runs after the suite's own).
 */
export function describePeers(name: string, fn: (peer: Peer) => void, options: DescribePeersOptions = {}): void {
  for (const peerName of selectedPeers()) {
    if (options.only && !options.only.includes(peerName)) continue
    if (peerName === 'rgw') {
      const peer = rgwAsPeer()
      describeWithServer(`${name} [rgw]`, options.users ? peer.usersMissing : peer.missing, () => fn(peer))
    } else {
      const peer = testS3Peer()
      describeWithServer(`${name} [test-s3]`, undefined, () => {
        beforeAll(() => peer.start())
        afterAll(() => peer.close())
        fn(peer)
      })
    }
  }
}

/**
 * beforeAll/afterAll for one describe block: the owner's client for `peer` and a fresh bucket, removed
 * afterwards. Read the values inside tests: `const { client, bucket } = fixture()`.
 */
export function peerBucketFixture(peer: Peer): () => { client: S3Client; bucket: string } {
  let client: S3Client | undefined
  let bucket: string | undefined
  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
  })
  afterAll(async () => {
    if (client && bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })
  return () => {
    if (!client || !bucket) throw new Error('peerBucketFixture: read it inside a test, after beforeAll')
    return { client, bucket }
  }
}
