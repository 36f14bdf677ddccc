// safe-presign/react in a real browser: a tiny React 19 page (react, react-dom/client and useUpload,
// bundled by esbuild as a production build) uploads through the handler to RGW in Chromium; the test
// reads status, progress and result from the DOM, and the store and HEAD from Node.
import { join } from 'node:path'
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createUploadHandler } from '../../../src/handler/index.js'
import { corsConfiguration, createSafeUpload, memoryStore, type OwnershipStore } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { appServer, bundle, chromiumMissing, launchChromium, MiB, pngOfSize, ROOT, type AppServer } from './browser-support.js'
import { head } from './support.js'

const peer = rgwPeer()
const missing = peer.missing ?? chromiumMissing
const PNG = pngOfSize(2 * MiB)

// The app: a file input, the hook's state rendered, and every progress value it rendered kept in
// window.rendered (React may batch updates; what was rendered is what a user saw).
const SCRIPT = `
import { createElement as h, useEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { useUpload } from ${JSON.stringify(join(ROOT, 'src/react/index.ts'))}
window.rendered = []
function App() {
  const { upload, status, progress, result, error } = useUpload({ endpoint: '/app/uploads', headers: { 'x-user': 'alice' } })
  useEffect(() => { window.rendered.push({ status, loaded: progress.loaded, total: progress.total }) }, [status, progress])
  return h('main', null,
    h('input', { id: 'file', type: 'file', onChange: (e) => upload(e.target.files[0]) }),
    h('output', { id: 'status' }, status),
    h('output', { id: 'progress' }, progress.loaded + '/' + progress.total),
    h('output', { id: 'key' }, result ? result.key : ''),
    h('output', { id: 'type' }, result ? result.contentType : ''),
    h('output', { id: 'error' }, error ? error.code + ': ' + error.message : ''))
}
createRoot(document.getElementById('root')).render(h(App))
`

describeWithServer('safe-presign/react in Chromium, through the handler, on RGW', missing, () => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  let browser: Browser | undefined
  let app: AppServer | undefined
  let page: Page

  beforeAll(async () => {
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
    store = memoryStore()
    const script = await bundle(SCRIPT)
    const uploads = createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 4 * MiB })
    app = await appServer((origin) => ({
      handlers: { '/app': createUploadHandler({ uploads, authenticate: (r) => r.headers.get('x-user'), basePath: '/app/uploads', allowedOrigins: [origin] }) },
      files: {
        '/': { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><title>react</title><div id="root"></div><script src="/app.js"></script>' },
        '/app.js': { type: 'text/javascript', body: script },
      },
    }))
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration({ origins: [app.origin] }) }))
    browser = await launchChromium()
    page = await browser.newPage()
    await page.goto(`${app.origin}/`)
  })
  afterAll(async () => {
    await browser?.close()
    await app?.stop()
    if (bucket) await removeBucket(client, bucket)
    client?.destroy()
  })

  const text = (id: string) => page.locator(`#${id}`).textContent()
  const settle = () => page.waitForFunction(() => ['done', 'error'].includes((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('#status')?.textContent ?? ''), undefined, { timeout: 20_000 })

  it('idle, then uploading with progress, then done with the committed key in the DOM', async () => {
    expect(await text('status')).toBe('idle')
    await page.setInputFiles('#file', { name: 'photo.png', mimeType: 'image/png', buffer: PNG })
    await settle()
    expect(await text('error')).toBe('')
    expect(await text('status')).toBe('done')
    expect(await text('progress')).toBe(`${PNG.length}/${PNG.length}`)
    expect(await text('type')).toBe('image/png')
    const key = (await text('key'))!
    expect(key).toMatch(/^uploads\/[0-9a-f-]{36}\.png$/)

    const rendered = (await page.evaluate(() => (globalThis as unknown as { rendered: unknown[] }).rendered)) as { status: string; loaded: number; total: number }[]
    expect(rendered[0]).toEqual({ status: 'idle', loaded: 0, total: 0 })
    expect(rendered.some((r) => r.status === 'uploading')).toBe(true)
    const uploading = rendered.filter((r) => r.status !== 'idle')
    for (let i = 1; i < uploading.length; i++) expect(uploading[i]!.loaded).toBeGreaterThanOrEqual(uploading[i - 1]!.loaded)
    expect(rendered.at(-1)).toEqual({ status: 'done', loaded: PNG.length, total: PNG.length })

    expect((await store.get(key, Date.now()))?.state).toBe('committed')
    expect(await head(client, bucket, key)).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png' })
  })

  it('a refusal by the handler shows status error with its code, and nothing is stored', async () => {
    await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') })
    await settle()
    expect(await text('status')).toBe('error')
    expect(await text('error')).toMatch(/^CONTENT_TYPE_NOT_ALLOWED: /)
    expect(await text('key')).toBe('')
  })
})
