// Resolves, once per (client, bucket), everything the SDK's middleware stack would otherwise
// recompute for every presigned URL: the endpoint (path-style or virtual-host, custom endpoint,
// FIPS, dual-stack), the signing region and service, and ready S3RequestPresigners.
// Signing then costs one SigV4 presign on a hand-built request, not a middleware run.
import type { S3Client } from '@aws-sdk/client-s3'
import type { S3RequestPresigner } from '@aws-sdk/s3-request-presigner'
import { commandClass, endpointFromInstructions, presignerClass } from '../_internal/s3-commands.js'
import { SafePresignError } from '../errors.js'
import { escapeRfc3986 } from './format-url.js'

export interface SigningTarget {
  protocol: string
  hostname: string
  port: number | undefined
  /** The endpoint's path without a trailing slash: '' for virtual-host, '/bucket' for path-style. */
  basePath: string
  signingRegion: string
  signingService: string
  /** The presigner bound to these credentials: the very ones whose expiry the caller checked. */
  presignerFor(credentials: Credentials): S3RequestPresigner
  /** True when the client asks for response checksums by default (the SDK then adds x-amz-checksum-mode). */
  responseChecksumMode: boolean
}

type Credentials = Awaited<ReturnType<S3Client['config']['credentials']>>

const cache = new WeakMap<S3Client, Map<string, Promise<SigningTarget>>>()

/**
 * The signing target for `bucket` on `client`. Cached per client and bucket; a failed
 * resolution is not cached, so a transient failure does not poison later calls.
 */
export function signingTarget(client: S3Client, bucket: string): Promise<SigningTarget> {
  let perClient = cache.get(client)
  if (!perClient) {
    perClient = new Map()
    cache.set(client, perClient)
  }
  let target = perClient.get(bucket)
  if (!target) {
    target = resolveTarget(client, bucket)
    perClient.set(bucket, target)
    target.catch(() => perClient!.delete(bucket))
  }
  return target
}

async function resolveTarget(client: S3Client, bucket: string): Promise<SigningTarget> {
  const config = client.config
  // GetObject and PutObject share S3's endpoint parameters; the key only matters for S3 Express,
  // which issues session credentials per request and is not supported here.
  const endpoint = await endpointFromInstructions({ Bucket: bucket, Key: 'k' }, commandClass('PutObject'), config)
  const probe = await endpointFromInstructions({ Bucket: bucket, Key: 'k' }, commandClass('GetObject'), config)
  if (probe.url.href !== endpoint.url.href) {
    throw new SafePresignError('SIGNING_FAILED', `GetObject and PutObject resolve different endpoints for bucket "${bucket}"`)
  }
  const scheme = endpoint.properties?.authSchemes?.[0] as
    | { name?: string; signingRegion?: string; signingName?: string }
    | undefined
  if (scheme && scheme.name !== 'sigv4') {
    throw new SafePresignError(
      'INVALID_CONFIG',
      `bucket "${bucket}" needs the "${scheme.name}" auth scheme; safe-presign signs SigV4 only (no S3 Express, no multi-region access points)`,
      { details: { option: 'bucket', value: bucket } },
    )
  }
  const signingRegion = scheme?.signingRegion ?? (await config.region())
  const signingService = scheme?.signingName ?? 's3'
  const url = endpoint.url
  const presigners = new WeakMap<Credentials, S3RequestPresigner>()
  const responseValidation = await (config as { responseChecksumValidation?: () => Promise<string> }).responseChecksumValidation?.()
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    basePath: url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname,
    signingRegion,
    signingService,
    presignerFor: (credentials) => {
      // Cached per credentials object (the SDK's provider returns the same one until it rotates),
      // so signing keys are still derived once per day, not once per URL.
      let presigner = presigners.get(credentials)
      if (!presigner) {
        presigner = new (presignerClass())({ ...config, credentials, signingName: signingService, region: async () => signingRegion })
        presigners.set(credentials, presigner)
      }
      return presigner
    },
    responseChecksumMode: responseValidation === 'WHEN_SUPPORTED',
  }
}

/** S3's encoding of a greedy `{Key+}` label: each segment URI-encoded, '/' kept, `!'()*` escaped too. */
export function encodeKeyPath(key: string): string {
  return key
    .split('/')
    .map(escapeRfc3986)
    .join('/')
}

/**
 * The signing target for `bucket` and the client's current credentials, resolved together.
 * Anything that goes wrong becomes SIGNING_FAILED (a SafePresignError passes through).
 */
export interface SigningContext {
  target: SigningTarget
  credentials: Credentials
}

export async function signingContext(client: S3Client, bucket: string): Promise<SigningContext> {
  try {
    return { target: await signingTarget(client, bucket), credentials: await client.config.credentials() }
  } catch (cause) {
    if (cause instanceof SafePresignError) throw cause
    throw new SafePresignError('SIGNING_FAILED', `could not resolve the endpoint or credentials for bucket "${bucket}"`, { cause })
  }
}
