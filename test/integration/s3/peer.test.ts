// The harness's own smoke test: each S3 peer (RGW and the test S3: peers.ts) is a real enforcer of SigV4 presigned URLs.
// Uses the raw AWS SDK, not safe-presign, so a failure here is about the peer, never about the library.
// Each rejection has a matching success with the same bucket and client, so a 403 can only come from
// what the case changed.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describePeers } from '../../helpers/peers.js'
import { httpRequest } from '../../helpers/rgw.js'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

describePeers('S3 peer: raw SDK presigned URLs', (peer) => {
  let client: S3Client
  let bucket: string

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    // The object the GET cases read; uploaded with the SDK so each case stands alone.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'ok.png', Body: PNG, ContentType: 'image/png' }))
  })
  afterAll(async () => {
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  const signPut = (key: string, contentType: string, opts: { signingDate?: Date } = {}) =>
    getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), {
      expiresIn: 60,
      signableHeaders: new Set(['content-type']),
      ...opts,
    })
  const signGet = (key: string, opts: { signingDate?: Date } = {}) =>
    getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 60, ...opts })
  const exists = async (key: string) => {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      return true
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false
      throw err
    }
  }

  it('accepts a presigned PUT with the signed Content-Type, and stores that type', async () => {
    const url = await signPut('uploaded.png', 'image/png')
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-type')
    const res = await httpRequest(url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG })
    expect(res.status).toBe(200)

    const got = await httpRequest(await signGet('uploaded.png'))
    expect(got.status).toBe(200)
    expect(got.body.equals(PNG)).toBe(true)
    expect(got.headers['content-type']).toBe('image/png')
  })

  it('rejects a presigned PUT sent with another Content-Type: 403 SignatureDoesNotMatch, nothing stored', async () => {
    const url = await signPut('typed.png', 'image/png')
    const res = await httpRequest(url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: '<script>' })
    expect([res.status, res.code]).toEqual([403, 'SignatureDoesNotMatch'])
    expect(await exists('typed.png')).toBe(false)
  })

  it('rejects a presigned PUT used for another key: 403 SignatureDoesNotMatch', async () => {
    const url = new URL(await signPut('mine.png', 'image/png'))
    url.pathname = url.pathname.replace(/mine\.png$/, 'yours.png')
    const res = await httpRequest(url.href, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG })
    expect([res.status, res.code]).toEqual([403, 'SignatureDoesNotMatch'])
    expect(await exists('yours.png')).toBe(false)
  })

  it('rejects a tampered signature on GET and PUT: 403 SignatureDoesNotMatch', async () => {
    const tamper = (href: string) => {
      const url = new URL(href)
      const sig = url.searchParams.get('X-Amz-Signature') ?? ''
      url.searchParams.set('X-Amz-Signature', sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'))
      return url.href
    }
    const get = await httpRequest(tamper(await signGet('ok.png')))
    expect([get.status, get.code]).toEqual([403, 'SignatureDoesNotMatch'])

    const put = await httpRequest(tamper(await signPut('tampered.png', 'image/png')), {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: PNG,
    })
    expect([put.status, put.code]).toEqual([403, 'SignatureDoesNotMatch'])
    expect(await exists('tampered.png')).toBe(false)
  })

  it('rejects anonymous GET, PUT and list: 403 AccessDenied', async () => {
    const base = `${peer.endpoint}/${bucket}`
    const get = await httpRequest(`${base}/ok.png`)
    expect([get.status, get.code]).toEqual([403, 'AccessDenied'])
    const put = await httpRequest(`${base}/anon.png`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG })
    expect([put.status, put.code]).toEqual([403, 'AccessDenied'])
    expect(await exists('anon.png')).toBe(false)
    const list = await httpRequest(`${base}/`)
    expect([list.status, list.code]).toEqual([403, 'AccessDenied'])
  })

  it('rejects expired presigned GET and PUT: 403 AccessDenied', async () => {
    const anHourAgo = new Date(Date.now() - 3600_000)
    const get = await httpRequest(await signGet('ok.png', { signingDate: anHourAgo }))
    expect([get.status, get.code]).toEqual([403, 'AccessDenied'])

    const put = await httpRequest(await signPut('late.png', 'image/png', { signingDate: anHourAgo }), {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: PNG,
    })
    expect([put.status, put.code]).toEqual([403, 'AccessDenied'])
    expect(await exists('late.png')).toBe(false)
  })
})
