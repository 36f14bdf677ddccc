// examples/browser in Chromium against RGW: the example server runs as `npm run example:browser` would
// run it (its own process, S3_ENDPOINT and S3_BUCKET from the environment), and playwright-core drives
// the page as a user would: pick a PNG and a 12 MiB PDF, watch the bars, see the list, click a download
// link. Another user (another cookie) is refused the first user's file by the handler's download route.
// With UPDATE_SCREENSHOTS=1 it also writes docs/img/browser-example.png, the screenshot in the README.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { S3Client } from '@aws-sdk/client-s3'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeWithServer, freePort } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { head, minimalPng } from './support.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const SCREENSHOT = join(ROOT, 'docs/img/browser-example.png')
const peer = rgwPeer()
const CHROMIUM = '/usr/bin/chromium'
const missing = peer.missing ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium)`)
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const MiB = 1024 * 1024

const PNG = minimalPng(16)
// A PDF to the sniffer (it starts with %PDF-), 12 MiB: above the example's 8 MiB multipart threshold.
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(12 * MiB - 15), Buffer.from('\n%%EOF')])
const FILES = { 'photo.png': PNG, 'report.pdf': PDF } as Record<string, Buffer>

/** Starts examples/browser/server.ts in its own process; resolves to the URL it printed. */
async function startExample(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/browser/server.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example printed no URL in 30 s:\n${output}`)), 30_000)
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString()
      const found = /browser example at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1]
      if (found) {
        clearTimeout(timer)
        resolve(found)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the example exited (${code}) before printing its URL:\n${output}`))
    })
  })
  return { child, url, output: () => output }
}

describeWithServer('examples/browser in Chromium against RGW', missing, () => {
  let client: S3Client
  let bucket: string
  let browser: Browser | undefined
  let example: Awaited<ReturnType<typeof startExample>> | undefined
  let alice: BrowserContext
  let page: Page
  const keys: Record<string, string> = {}

  beforeAll(async () => {
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
    const port = await freePort()
    const { accessKeyId, secretAccessKey, sessionToken } = peer.credentials!
    example = await startExample({
      S3_ENDPOINT: peer.endpoint!,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}),
      S3_BUCKET: bucket,
      PORT: String(port),
    })
    expect(example.url).toBe(`http://127.0.0.1:${port}/`)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    alice = await browser.newContext({ viewport: { width: 1000, height: 700 }, acceptDownloads: true })
    page = await alice.newPage()
  })
  afterAll(async () => {
    await browser?.close()
    if (example?.child.exitCode === null) {
      const exited = new Promise((resolve) => example!.child.once('exit', resolve))
      example.child.kill('SIGTERM')
      await exited
    }
    if (bucket) await removeBucket(client, bucket)
    client?.destroy()
  })

  it('picking a PNG and a 12 MiB PDF: one PUT and three 5 MiB parts to S3, the big bar advances, both are listed and stored under uploads/', async () => {
    const s3: string[] = []
    page.on('response', (r) => {
      const u = new URL(r.url())
      if (u.origin !== new URL(example!.url).origin) s3.push(`${r.request().method()} ${u.searchParams.get('x-id') ?? '(no x-id)'} ${r.status()}`)
    })
    await page.goto(example!.url)
    await expect.poll(() => page.textContent('#user')).toBe('alice') // the stand-in sign-in: a cookie set by GET /
    expect(await page.isVisible('#no-files')).toBe(true)

    // Every value the PDF's bar is given, as the DOM sees it.
    await page.evaluate(() => {
      const w = globalThis as unknown as { progressSeen: number[]; document: any; MutationObserver: any }
      w.progressSeen = []
      new w.MutationObserver((records: { target: any }[]) => {
        for (const { target } of records) if (target.closest('li')?.dataset.name === 'report.pdf') w.progressSeen.push(Number(target.getAttribute('value')))
      }).observe(w.document.getElementById('uploads'), { subtree: true, attributes: true, attributeFilter: ['value'] })
    })
    await page.setInputFiles('#picker', [
      { name: 'photo.png', mimeType: 'image/png', buffer: PNG },
      { name: 'report.pdf', mimeType: 'application/pdf', buffer: PDF },
    ])
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#uploads li[data-state]').length === 2, undefined, { timeout: 40_000 })
    const rows = await page.$$eval('#uploads li', (lis) => lis.map((li) => ({ name: li.dataset.name, state: li.dataset.state, status: li.querySelector('.status')!.textContent })))
    console.log(`[example-browser] rows: ${JSON.stringify(rows)}`)
    expect(rows).toEqual([
      { name: 'photo.png', state: 'done', status: `done: ${PNG.length} B, image/png` },
      { name: 'report.pdf', state: 'done', status: 'done: 12.0 MiB, application/pdf' },
    ])

    const seen = await page.evaluate(() => (globalThis as unknown as { progressSeen: number[] }).progressSeen)
    const intermediate = [...new Set(seen.filter((v) => v > 0 && v < PDF.length))]
    console.log(`[example-browser] report.pdf bar values: ${seen.join(', ')}`)
    expect(intermediate.length).toBeGreaterThanOrEqual(2)
    expect([...seen].sort((a, b) => a - b)).toEqual(seen) // never moves back
    expect(seen.at(-1)).toBe(PDF.length)

    console.log(`[example-browser] S3 saw: ${s3.join(', ')}`)
    expect(s3.filter((s) => !s.startsWith('OPTIONS')).sort()).toEqual(['PUT PutObject 200', 'PUT UploadPart 200', 'PUT UploadPart 200', 'PUT UploadPart 200'])

    await page.waitForSelector('#files tbody tr:nth-child(2)')
    const listed = await page.$$eval('#files tbody tr', (trs) => trs.map((tr) => ({ key: tr.dataset.key!, cells: [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent) })))
    expect(listed.map((l) => l.cells)).toEqual([
      ['photo.png', `${PNG.length} B`, 'image/png'],
      ['report.pdf', '12.0 MiB', 'application/pdf'],
    ])
    for (const { key, cells } of listed) {
      keys[cells[0]!] = key
      expect(key).toMatch(/^uploads\/[0-9a-f-]{36}\.(png|pdf)$/)
      // Promoted from quarantine/ by complete(): the final key holds the bytes, the staging key is gone.
      expect(await head(client, bucket, key)).toMatchObject({ ContentLength: FILES[cells[0]!]!.length })
      expect(await head(client, bucket, key.replace(/^uploads\//, 'quarantine/'))).toBeUndefined()
    }

    // The page renders (a real PNG comes back); docs/img is rewritten only when asked, so a test run
    // leaves the working tree as it was: UPDATE_SCREENSHOTS=1 npx vitest run test/integration/s3/example-browser.test.ts
    const shot = await page.screenshot()
    expect(shot.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(dirname(SCREENSHOT), { recursive: true })
      writeFileSync(SCREENSHOT, shot)
    }
  })

  it("clicking a file's link downloads exactly its bytes, under its own name", async () => {
    for (const name of ['report.pdf', 'photo.png']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#files a:text-is("${name}")`)])
      expect(download.suggestedFilename()).toBe(name)
      expect((await readFile((await download.path())!)).equals(FILES[name]!)).toBe(true)
    }
  })

  it("another user (bob's cookie) sees no files and gets 403 FORBIDDEN from the download route for alice's key", async () => {
    expect(keys['photo.png']).toBeDefined()
    const bob = await browser!.newContext()
    try {
      const bobPage = await bob.newPage()
      await bobPage.goto(`${example!.url}?as=bob`)
      await expect.poll(() => bobPage.textContent('#user')).toBe('bob')
      expect(await bobPage.isVisible('#no-files')).toBe(true)
      const asked = (key: string) =>
        bobPage.evaluate(async (path) => {
          const res = await fetch(path, { redirect: 'manual' })
          return { status: res.status, body: await res.text() }
        }, `/uploads/download?key=${encodeURIComponent(key)}`)
      const answer = await asked(keys['photo.png']!)
      expect(answer.status).toBe(403)
      expect(JSON.parse(answer.body)).toMatchObject({ name: 'SafePresignError', code: 'FORBIDDEN' })
      expect(answer.body).not.toContain('X-Amz-Signature')

      // The link alice clicks (redirect=1) gives bob the same 403, no redirect; alice still gets hers.
      const link = (user: string) => fetch(`${example!.url}uploads/download?key=${encodeURIComponent(keys['photo.png']!)}&redirect=1`, { headers: { cookie: `user=${user}` }, redirect: 'manual' })
      const forBob = await link('bob')
      expect(forBob.status).toBe(403)
      expect(forBob.headers.get('location')).toBeNull()
      const forAlice = await link('alice')
      expect(forAlice.status).toBe(302)
      expect(forAlice.headers.get('location')).toContain(bucket)
    } finally {
      await bob.close()
    }
  })
})

// `npm run example:browser` with no S3_ENDPOINT: the example starts the strict test S3 itself (with the
// CORS rules it applies with PutBucketCors, as on S3). Before, on s3rver, files over the multipart
// threshold failed there (no ListParts).
describeWithServer('examples/browser in Chromium on its embedded default (the strict test S3)', existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium)`, () => {
  let browser: Browser | undefined
  let example: Awaited<ReturnType<typeof startExample>> | undefined
  let page: Page

  beforeAll(async () => {
    const env: Record<string, string> = { PORT: String(await freePort()), S3_ENDPOINT: '', S3_BUCKET: '' }
    example = await startExample(env)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    page = await (await browser.newContext({ acceptDownloads: true })).newPage()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    example?.child.kill('SIGTERM')
  })

  it('a PNG by PUT and a 12 MiB PDF by multipart upload, complete, are listed and download byte for byte', async () => {
    const s3: string[] = []
    page.on('response', (r) => {
      const u = new URL(r.url())
      if (u.origin !== new URL(example!.url).origin && r.request().method() !== 'OPTIONS') s3.push(`${r.request().method()} ${u.searchParams.get('x-id') ?? '(no x-id)'} ${r.status()}`)
    })
    await page.goto(example!.url)
    await expect.poll(() => page.textContent('#user')).toBe('alice')
    await page.setInputFiles('#picker', Object.entries(FILES).map(([name, buffer]) => ({ name, mimeType: name.endsWith('.png') ? 'image/png' : 'application/pdf', buffer })))
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#uploads li[data-state]').length === 2, undefined, { timeout: 60_000 })
    const rows = await page.$$eval('#uploads li', (lis) => lis.map((li) => ({ name: (li as unknown as { dataset: Record<string, string> }).dataset.name, state: (li as unknown as { dataset: Record<string, string> }).dataset.state })))
    expect(rows).toEqual([{ name: 'photo.png', state: 'done' }, { name: 'report.pdf', state: 'done' }])
    expect(s3.sort()).toEqual(['PUT PutObject 200', 'PUT UploadPart 200', 'PUT UploadPart 200', 'PUT UploadPart 200'])
    await page.waitForSelector('#files tbody tr:nth-child(2)')
    for (const [name, bytes] of Object.entries(FILES)) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#files a:text-is("${name}")`)])
      expect(download.suggestedFilename()).toBe(name)
      expect((await readFile((await download.path())!)).equals(bytes)).toBe(true)
    }
  }, 90_000)
})
