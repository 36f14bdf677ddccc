// The S3 calls complete() makes, each turning S3's answer into the library's: a missing object is
// `undefined`, an object the worker may not read a rejection, a changed ETag (412) a replay, anything
// else S3_ERROR with the record unchanged.
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3'
import { command } from '../_internal/s3-commands.js'
import { isSafePresignError, SafePresignError } from '../errors.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import { md5 } from '../_internal/md5.js'
import { quote } from '../_internal/validate.js'
import { Rejection } from './rejection.js'

export async function headObject(cfg: ResolvedUploadConfig, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await cfg.client.send(command('HeadObject', { Bucket: cfg.bucket, Key: key, ChecksumMode: 'ENABLED' }))
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined
    if (status === 403 && (await deniedReading(cfg, key))) {
      // The object is there, and the worker may not read it: an uploader replaced its ACL (RGW obeys an
      // unsigned x-amz-grant-write). Left pending, it would fail every retry and never be cleaned up.
      throw new Rejection('OBJECT_UNREADABLE', 'the object exists, but the completing client may not read it (its ACL was changed by the uploader); it was rejected', { status })
    }
    throw new SafePresignError('S3_ERROR', `HeadObject failed for ${quote(key)}`, { cause: error })
  }
}

/**
 * A 403 on HEAD has no body, so it cannot tell AccessDenied from a skewed clock or a bad key. A
 * one-byte GET does: only AccessDenied counts as "not readable". Without s3:ListBucket, AWS also
 * answers AccessDenied for a key that does not exist: give the worker `list` (signerPolicy's
 * `role: 'worker'` does), or complete() before the upload arrived rejects it.
 */
async function deniedReading(cfg: ResolvedUploadConfig, key: string): Promise<boolean> {
  try {
    const out = await cfg.client.send(command('GetObject', { Bucket: cfg.bucket, Key: key, Range: 'bytes=0-0' }))
    await out.Body?.transformToByteArray()
    return false
  } catch (error) {
    return (error as { name?: string }).name === 'AccessDenied'
  }
}

export async function readRange(cfg: ResolvedUploadConfig, key: string, length: number, etag: string | undefined): Promise<Uint8Array> {
  if (length <= 0) return new Uint8Array()
  const out = await s3('GetObject', () => cfg.client.send(command('GetObject', { Bucket: cfg.bucket, Key: key, Range: `bytes=0-${length - 1}`, IfMatch: etag })))
  return (await out.Body?.transformToByteArray()) ?? new Uint8Array()
}

/**
 * Streams the object through a hash, chunk by chunk, with the client's own hashes (`config.sha256`,
 * `config.md5`: native under Node, the SDK's portable ones elsewhere), since WebCrypto cannot stream and
 * has no MD5. A client configured without `md5` gets ours (src/_internal/md5.ts, about 8× slower on Node).
 */
export async function digestObject(cfg: ResolvedUploadConfig, key: string, algorithm: 'md5' | 'sha256', etag: string | undefined): Promise<Uint8Array> {
  const out = await s3('GetObject', () => cfg.client.send(command('GetObject', { Bucket: cfg.bucket, Key: key, IfMatch: etag })))
  const Md5 = cfg.client.config.md5
  const hash = algorithm === 'sha256' ? new cfg.client.config.sha256() : Md5 ? new Md5() : md5()
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk)
  return hash.digest()
}

export async function deleteObject(cfg: ResolvedUploadConfig, key: string) {
  await s3('DeleteObject', () => cfg.client.send(command('DeleteObject', { Bucket: cfg.bucket, Key: key })))
}

export async function s3<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    if (isSafePresignError(cause)) throw cause
    if ((cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) {
      throw new Rejection('CONTENT_MISMATCH', `the object changed while it was being verified (${operation} found another ETag): a replayed upload; nothing was promoted`)
    }
    throw new SafePresignError('S3_ERROR', `${operation} failed while completing an upload; the record is unchanged, try again`, { cause })
  }
}
