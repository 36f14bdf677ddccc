// complete() hashes an object itself when S3 kept no plain digest (a multipart ETag, no stored SHA-256).
// It streams through the client's own hashes, or our MD5 for a client configured without one; every
// path must give the digest Node's crypto gives, or a good upload is rejected as CHECKSUM_MISMATCH.
import { createHash } from 'node:crypto'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { digestObject } from '../../../src/lifecycle/s3-object.js'
import type { ResolvedUploadConfig } from '../../../src/policy/upload-config.js'
import { s3Client } from '../core/fixtures.js'
import { fakeS3 } from './fake-s3.js'
import { registerSdk } from '../../../src/_internal/s3-commands.js'
import { SDK } from '../../../src/sign/commands.js'

// These tests call the signing internals directly; the builders register the SDK's classes themselves.
registerSdk(SDK)

// 1 MiB + 3 bytes: not a multiple of MD5's or SHA-256's 64-byte block, and split in two by the fake body.
const BODY = Uint8Array.from({ length: (1 << 20) + 3 }, (_, i) => (i * 131 + (i >> 9)) & 0xff)

describe('digestObject', () => {
  it.each([
    ['md5', 'the client’s md5'],
    ['sha256', 'the client’s sha256'],
    ['md5', 'our md5 (a client configured without one)'],
  ] as const)('%s through %s equals node:crypto', async (algorithm, via) => {
    const client = s3Client()
    if (via.startsWith('our')) (client.config as { md5?: unknown }).md5 = undefined
    const s3 = fakeS3(client)
    s3.put('q/k', BODY, 'application/octet-stream')
    const cfg = { client, bucket: 'bkt' } as unknown as ResolvedUploadConfig
    const digest = await digestObject(cfg, 'q/k', algorithm, '"etag"')
    expect(Buffer.from(digest).toString('hex')).toBe(createHash(algorithm).update(BODY).digest('hex'))
    expect(s3.inputs(GetObjectCommand)).toEqual([{ Bucket: 'bkt', Key: 'q/k', IfMatch: '"etag"' }])
  })
})
