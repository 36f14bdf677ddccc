// startTestS3() itself: options checked, `await using` closes it, close() twice is fine, the log names
// who signed, a region other than us-east-1 is enforced in the credential scope.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { startTestS3 } from '../../../../src/testing/s3/index.js'

describe('startTestS3', () => {
  it('`await using` closes it at the end of the block: the port refuses connections afterwards', async () => {
    let endpoint = ''
    {
      await using s3 = await startTestS3({ buckets: ['disposed'] })
      endpoint = s3.endpoint
      expect((await fetch(`${endpoint}/disposed?list-type=2`)).status).toBe(403)
    }
    await expect(fetch(`${endpoint}/disposed?list-type=2`)).rejects.toThrow()
  })

  it('close() twice resolves both times', async () => {
    const s3 = await startTestS3()
    await Promise.all([s3.close(), s3.close()])
    await expect(s3.close()).resolves.toBeUndefined()
  })

  it('signs for its region only: a client of another region is refused', async () => {
    await using s3 = await startTestS3({ region: 'eu-central-1', buckets: ['eu-bucket'] })
    const ok = s3.client()
    await ok.send(new PutObjectCommand({ Bucket: 'eu-bucket', Key: 'k', Body: 'x' }))
    const { S3Client } = await import('@aws-sdk/client-s3')
    const other = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials, maxAttempts: 1 })
    await expect(other.send(new GetObjectCommand({ Bucket: 'eu-bucket', Key: 'k' }))).rejects.toMatchObject({ name: 'AuthorizationHeaderMalformed' })
    expect(s3.region).toBe('eu-central-1')
    for (const c of [ok, other]) c.destroy()
  })

  it('refuses a start bucket with an invalid name, naming it', async () => {
    await expect(startTestS3({ buckets: ['Not_A_Bucket'] })).rejects.toThrow(/"Not_A_Bucket"/)
  })

  it('the request log names the operation, the status, the code and who signed', async () => {
    await using s3 = await startTestS3({ buckets: ['logged'] })
    const c = s3.client()
    await c.send(new PutObjectCommand({ Bucket: 'logged', Key: 'a', Body: 'x' }))
    await expect(c.send(new GetObjectCommand({ Bucket: 'logged', Key: 'missing' }))).rejects.toMatchObject({ name: 'NoSuchKey' })
    expect(s3.requests.map(({ operation, status, code, principal }) => ({ operation, status, code, principal }))).toEqual([
      { operation: 'PutObject', status: 200, code: undefined, principal: 'root' },
      { operation: 'GetObject', status: 404, code: 'NoSuchKey', principal: 'root' },
    ])
    c.destroy()
  })
})
