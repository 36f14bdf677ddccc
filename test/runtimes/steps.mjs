// The round trip every runtime runs, shared by smoke.mjs (a script for Node, Bun and Deno) and worker.mjs
// (a module worker for workerd). Plain JS and web APIs only (fetch, FormData, Blob, URL, performance).
//
// roundTrip({ env, load }) → { ok, fatal?, steps: [{ name, ok, ms, ...facts }] }
//   env:  S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_BUCKET (an existing bucket), AWS_SESSION_TOKEN?
//   load: async () => ({ lib, S3Client }): the built package (dist/index.js) and the SDK's S3Client
// It stops at the first failed step (the later ones depend on it). The objects stay in S3_BUCKET: the
// caller deletes the bucket.

export const STEPS = ['import', 'put-grant', 'upload', 'complete', 'download', 'post-grant', 'post-upload', 'post-complete']

// A 1×1 PNG: complete() sniffs its magic bytes.
const PNG = Uint8Array.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1b1d60000000049454e44ae426082'.match(/../g), (h) => parseInt(h, 16))
const UUID_PNG = /^uploads\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.png$/

const equalBytes = (a, b) => a.length === b.length && a.every((v, i) => v === b[i])
const s3Code = (text) => /<Code>([^<]+)<\/Code>/.exec(text)?.[1]

export async function roundTrip({ env, load }) {
  const steps = []
  /** Runs one step: `fn` returns the facts to report and whether they are what a user expects. */
  async function step(name, fn) {
    const t0 = performance.now()
    try {
      const { ok, ...facts } = await fn()
      steps.push({ name, ok, ms: Math.round(performance.now() - t0), ...facts })
      return ok
    } catch (error) {
      // Never echo a presigned URL: only the error's name, code and first line (and its cause's).
      const clean = (e) => String(e?.message ?? e).split('\n')[0].replace(/X-Amz-[A-Za-z-]+=[^&\s]+/g, 'X-Amz-…')
      const cause = error?.cause ? ` (cause: ${error.cause.name ?? 'Error'}: ${clean(error.cause)})` : ''
      steps.push({ name, ok: false, ms: Math.round(performance.now() - t0), error: `${error?.name ?? 'Error'}${error?.code ? ` ${error.code}` : ''}: ${clean(error)}${cause}` })
      return false
    }
  }

  let fatal
  try {
    await run()
  } catch (error) {
    fatal = String(error?.message ?? error)
  }
  const ok = fatal === undefined && steps.length === STEPS.length && steps.every((s) => s.ok)
  return { ok, ...(fatal ? { fatal } : {}), steps }

  async function run() {
    const missing = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET'].filter((k) => !env[k])
    if (missing.length > 0) throw new Error(`the round trip needs ${missing.join(', ')} in its environment`)
    const bucket = env.S3_BUCKET
    let lib, S3Client, put, post

    if (!(await step('import', async () => {
      ;({ lib, S3Client } = await load())
      const needed = ['createSafeUpload', 'createSafeDownload', 'memoryStore', 'isSafePresignError']
      const absent = needed.filter((n) => typeof lib[n] !== 'function')
      return { ok: absent.length === 0, exports: Object.keys(lib).length, absent }
    }))) return

    const client = new S3Client({
      region: 'us-east-1',
      endpoint: env.S3_ENDPOINT,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    const store = lib.memoryStore()
    const common = { client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024, expiresIn: 60 }
    const uploads = lib.createSafeUpload(common)
    const downloads = lib.createSafeDownload({ client, bucket, store })
    const posts = lib.createSafeUpload({ ...common, method: 'POST', quarantine: { prefix: 'quarantine/' } })

    try {
      if (!(await step('put-grant', async () => {
        put = await uploads.presign({ owner: 'alice', filename: 'photo.png', contentType: 'image/png', size: PNG.length })
        const signed = new URL(put.url).searchParams.get('X-Amz-SignedHeaders')
        return { ok: put.method === 'PUT' && UUID_PNG.test(put.key), method: put.method, key: put.key, signedHeaders: signed }
      }))) return

      if (!(await step('upload', async () => {
        const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body: PNG })
        const text = await res.text()
        return { ok: res.status === 200, status: res.status, code: s3Code(text) }
      }))) return

      if (!(await step('complete', async () => {
        const done = await uploads.complete({ key: put.key, owner: 'alice' })
        return { ok: done.state === 'committed' && done.sniffedType === 'image/png', state: done.state, sniffedType: done.sniffedType, size: done.size }
      }))) return

      if (!(await step('download', async () => {
        const link = await downloads.presign({ key: put.key, requester: 'alice' })
        const res = await fetch(link.url)
        const body = new Uint8Array(await res.arrayBuffer())
        // Someone else gets no link at all: the ownership check runs in this runtime too.
        const other = await downloads.presign({ key: put.key, requester: 'bob' }).then(() => 'a link', (e) => (lib.isSafePresignError(e) ? e.code : `untyped ${e?.name}`))
        const same = equalBytes(body, PNG)
        return { ok: res.status === 200 && same && other === 'FORBIDDEN', status: res.status, identical: same, contentType: res.headers.get('content-type'), otherRequester: other }
      }))) return

      if (!(await step('post-grant', async () => {
        post = await posts.presign({ owner: 'alice', filename: 'scan.png', contentType: 'image/png' })
        return { ok: post.method === 'POST' && UUID_PNG.test(post.key) && post.fields.key?.startsWith('quarantine/'), method: post.method, key: post.key, stagingKey: post.fields.key }
      }))) return

      if (!(await step('post-upload', async () => {
        const form = new FormData()
        for (const [k, v] of Object.entries(post.fields)) form.append(k, v)
        form.append('file', new Blob([PNG], { type: 'image/png' }), 'scan.png') // last, as S3 requires
        const res = await fetch(post.url, { method: 'POST', body: form, redirect: 'manual' })
        const text = await res.text()
        return { ok: res.status === 201, status: res.status, code: s3Code(text) }
      }))) return

      await step('post-complete', async () => {
        const result = await posts.complete({ key: post.key, owner: 'alice' })
        return { ok: result.state === 'committed' && result.sniffedType === 'image/png', state: result.state, sniffedType: result.sniffedType }
      })
    } finally {
      client.destroy()
    }
  }
}
