// The S3Clients the CLI uses. `client` gets its credentials the SDK's default way (environment,
// AWS_PROFILE or --profile, SSO, instance roles). The probe's signer comes from --signer-profile, or
// from SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID / SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY
// (/ SAFE_PRESIGN_SIGNER_SESSION_TOKEN), never from a flag value: flags end up in shell history.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { UsageError } from './args.js'

export interface S3Flags {
  endpoint?: string | undefined
  region?: string | undefined
  'path-style'?: boolean | undefined
  profile?: string | undefined
}

function base(flags: S3Flags): S3ClientConfig {
  if (flags.endpoint !== undefined) {
    let url: URL
    try {
      url = new URL(flags.endpoint)
    } catch {
      throw new UsageError(`--endpoint ${JSON.stringify(flags.endpoint)} is not a URL (e.g. https://s3.example.com)`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('--endpoint must be an http or https URL')
  }
  return {
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
    ...(flags['path-style'] ? { forcePathStyle: true } : {}),
    // Checksums only where an operation requires them: S3-compatible stores (Ceph RGW 16) predate the
    // SDK's default CRC32 on every PUT. The probe signs its own digests where it tests them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }
}

export function clientFrom(flags: S3Flags): S3Client {
  return new S3Client({ ...base(flags), ...(flags.profile ? { profile: flags.profile } : {}) })
}

const ENV_ID = 'SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID'
const ENV_SECRET = 'SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY'
const ENV_TOKEN = 'SAFE_PRESIGN_SIGNER_SESSION_TOKEN'

/** The signer, or undefined when none is configured (the probe then signs with `client`). */
export function signerFrom(flags: S3Flags & { 'signer-profile'?: string | undefined }, env: Record<string, string | undefined>): S3Client | undefined {
  const id = env[ENV_ID]
  const secret = env[ENV_SECRET]
  const fromEnv = Boolean(id || secret)
  if (fromEnv && (!id || !secret)) throw new UsageError(`${id ? ENV_SECRET : ENV_ID} is not set: set both ${ENV_ID} and ${ENV_SECRET}, or neither`)
  if (fromEnv && flags['signer-profile']) throw new UsageError(`--signer-profile and ${ENV_ID} are both set: give one signer`)
  if (flags['signer-profile']) return new S3Client({ ...base(flags), profile: flags['signer-profile'] })
  if (!fromEnv) return undefined
  const token = env[ENV_TOKEN]
  return new S3Client({ ...base(flags), credentials: { accessKeyId: id!, secretAccessKey: secret!, ...(token ? { sessionToken: token } : {}) } })
}
