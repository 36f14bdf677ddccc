// probeBucket() validates its options before it sends anything (INVALID_CONFIG naming the option), and
// its precomputed digests are the digests of its bytes. No server: a bad option never reaches one.
import { createHash } from 'node:crypto'
import { S3Client } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { BODY, BODY_MD5, BODY_SHA256, OTHER } from '../../../src/probe/context.js'
import { PROBE_ROWS } from '../../../src/probe/rows.js'
import { isSafePresignError, probeBucket, PROBE_FINDING_IDS, type ProbeOptions } from '../../../src/index.js'

// Port 9 (discard) on loopback: nothing answers; validation must fail before any request.
const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })
const good: ProbeOptions = { client, bucket: 'user-files', prefix: 'uploads/' }

async function optionOf(options: unknown): Promise<string> {
  const error = await probeBucket(options as ProbeOptions).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isSafePresignError(error) || error.code !== 'INVALID_CONFIG') throw new Error(`expected INVALID_CONFIG, got ${String(error)}`)
  return String(error.details?.option)
}

describe('probeBucket options', () => {
  it.each([
    ['options', undefined],
    ['client', { ...good, client: {} }],
    ['signer', { ...good, signer: { send() {} } }],
    ['bucket', { ...good, bucket: 'Not_A_Bucket' }],
    ['prefix', { ...good, prefix: 'uploads' }],
    ['prefix', { ...good, prefix: undefined }],
    ['prefix', { ...good, prefix: '/uploads/' }],
    ['origin', { ...good, origin: 'https://*.example.com' }],
    ['origin', { ...good, origin: 'http://app.example.com' }],
    ['timeoutMs', { ...good, timeoutMs: 0 }],
    ['timeoutMs', { ...good, timeoutMs: 60_001 }],
  ])('INVALID_CONFIG naming `%s`', async (option, options) => {
    expect(await optionOf(options)).toBe(option)
  })
})

describe('probe bytes and rows', () => {
  it('BODY_MD5 and BODY_SHA256 are the digests of BODY; OTHER has its length and not its bytes', () => {
    expect(createHash('md5').update(BODY).digest('base64')).toBe(BODY_MD5)
    expect(createHash('sha256').update(BODY).digest('base64')).toBe(BODY_SHA256)
    expect(OTHER.length).toBe(BODY.length)
    expect(Buffer.from(OTHER).equals(Buffer.from(BODY))).toBe(false)
  })

  it('the severities are the documented ones', () => {
    const bySeverity = (s: string) => PROBE_FINDING_IDS.filter((id) => PROBE_ROWS[id].severity === s)
    expect(bySeverity('critical')).toEqual(['tampered-signature', 'expired', 'other-key', 'unsigned-copy-source'])
    expect(bySeverity('high')).toEqual(['put-supported', 'content-length', 'if-none-match', 'unsigned-acl', 'unsigned-grant', 'post-length-range', 'signer-separate'])
    expect(bySeverity('medium')).toEqual(['content-type', 'content-md5', 'checksum-sha256', 'post-extra-field', 'cors-foreign-origin'])
    expect(bySeverity('low')).toEqual(['unsigned-meta'])
    expect(bySeverity('info')).toEqual(['post-supported'])
  })
})
