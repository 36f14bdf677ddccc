// The public shapes of the strict test S3 (startTestS3). Kept apart from the server so a user's
// test helpers can import the types without starting anything.
import type { S3Client } from '@aws-sdk/client-s3'

export interface TestS3Credentials {
  accessKeyId: string
  secretAccessKey: string
}

/**
 * A user of the test S3 with its own access key, limited by IAM identity policies, as an IAM user or
 * role would be on AWS: exactly what `signerPolicy({ role })` generates can be given here, so the split
 * setup (upload signer, download signer, worker) is testable as it will run.
 */
/**
 * An IAM identity policy, as AWS takes it: what `signerPolicy()` returns fits, and so does a hand-written
 * one (`Action`/`Resource` as a string or a list, `NotAction`, `NotResource`, `Condition`).
 */
export interface TestS3Policy {
  Version?: string
  Statement: TestS3Statement | readonly TestS3Statement[]
}
export interface TestS3Statement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: string | readonly string[]
  NotAction?: string | readonly string[]
  Resource?: string | readonly string[]
  NotResource?: string | readonly string[]
  Condition?: Record<string, Record<string, string | number | boolean | readonly (string | number)[]>>
}

export interface TestS3PrincipalOptions {
  /** A name for messages and for the principal's ARN (`arn:aws:iam::000000000000:user/<name>`). */
  name: string
  /** @default random */
  accessKeyId?: string
  /** @default random */
  secretAccessKey?: string
  /** Identity policies. Without any, the principal may do nothing (IAM's implicit deny). */
  policy?: TestS3Policy | readonly TestS3Policy[]
}

export interface TestS3Principal extends TestS3Credentials {
  name: string
  arn: string
}

/** One fault, for the next `count` requests that match. */
export interface TestS3Fault {
  /** How many matching requests it applies to. @default 1 */
  count?: number
  /** Answer with this S3 error instead: 500 InternalError or 503 SlowDown (the body is S3's error XML). */
  status?: 500 | 503
  /** Wait this long before handling (or failing) the request. */
  delayMs?: number
  /** Destroy the connection without an answer (a client sees a reset socket). */
  drop?: boolean
  /** Which requests count. @default every request */
  match?: { method?: string; bucket?: string; key?: string | RegExp; operation?: string }
}

export interface TestS3Options {
  /** The region the signatures must be scoped to. @default 'us-east-1' */
  region?: string
  /** The bucket owner's keys. @default random */
  credentials?: TestS3Credentials
  /** More users, each limited by its identity policies (see {@link TestS3PrincipalOptions}). */
  principals?: readonly TestS3PrincipalOptions[]
  /** Buckets to create at start, owned by the root credentials. */
  buckets?: readonly string[]
  /** The most bytes held in memory (objects and parts); a write past it is refused. @default 256 MiB */
  maxBytes?: number
  /** The clock signatures and expiry are checked against (ms since the epoch). @default Date.now */
  now?: () => number
  /** The port to listen on, on 127.0.0.1. @default 0 (a free one) */
  port?: number
}

export interface TestS3RequestLog {
  method: string
  /** The operation it was routed to, e.g. 'PutObject', or 'preflight'. */
  operation: string
  bucket?: string
  key?: string
  status: number
  /** The S3 error code, when it failed. */
  code?: string
  /** Who signed it: a principal's name, 'root', or 'anonymous'. */
  principal: string
}

export interface TestS3 extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`: path-style only (`forcePathStyle: true`). */
  readonly endpoint: string
  readonly region: string
  /** The bucket owner's keys: may do anything. */
  readonly credentials: TestS3Credentials
  /** An S3Client for `credentials` (or a principal's), path-style, retries off unless asked. */
  client(options?: { credentials?: TestS3Credentials; maxAttempts?: number }): S3Client
  /** Creates a bucket owned by the root credentials (no request is sent). Returns its name. */
  createBucket(name: string): string
  /** Adds a user (see {@link TestS3PrincipalOptions}); returns its keys and ARN. */
  addPrincipal(options: TestS3PrincipalOptions): TestS3Principal
  /** Faults for the next matching requests, for users' retry tests. */
  readonly faults: { inject(fault: TestS3Fault): void; clear(): void; readonly pending: number }
  /** Every request handled since start or the last reset(), oldest first. */
  readonly requests: readonly TestS3RequestLog[]
  /** Empties every bucket setting, object, upload, fault and log; buckets named at start stay (empty). */
  reset(): void
  /** Stops listening and drops open connections. */
  close(): Promise<void>
}
