// An in-process S3 emulator (@20minutes/s3rver, a devDependency) for the demo and the example tests:
// a free loopback port, a fresh temp dir, both gone after close(). Not S3: it enforces SigV4
// signatures, but not If-None-Match, POST policies or most other conditions.
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from '@20minutes/s3rver'

export interface Emulator {
  endpoint: string
  region: 'us-east-1'
  /** s3rver's fixed credentials. */
  credentials: { accessKeyId: string; secretAccessKey: string }
  buckets: readonly string[]
  /** Stops the server and deletes its directory. Safe to call twice. */
  close(): Promise<void>
}

/**
 * DEMO/TEST ONLY. s3rver canonicalizes the query string for SigV4 with the global
 * encodeURIComponent, which leaves !'()* unescaped where SigV4 (RFC 3986) escapes them, so it
 * rejects every correctly signed URL whose query holds one of them, such as a download link's
 * `response-content-disposition: ...; filename*=UTF-8''...`. Real S3 and RGW get this right.
 * The fix replaces the global encodeURIComponent for this process, but the replacement escapes
 * !'()* only while s3rver handles a request (tracked with AsyncLocalStorage), so everything else
 * in the process, the library included, still sees the standard function. Never do this in an app.
 */
const insideS3rver = new AsyncLocalStorage<true>()
let patched = false

function patchEncodeURIComponentForS3rver(): void {
  if (patched) return
  patched = true
  const standard = globalThis.encodeURIComponent
  globalThis.encodeURIComponent = (value) => {
    const encoded = standard(value)
    return insideS3rver.getStore() ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded
  }
}

export async function startEmulator(options: { buckets?: readonly string[] } = {}): Promise<Emulator> {
  patchEncodeURIComponentForS3rver()
  const buckets = options.buckets ?? ['demo']
  const directory = mkdtempSync(join(tmpdir(), 'safe-presign-s3rver-'))
  const removeDirectory = () => rmSync(directory, { recursive: true, force: true })
  // Also on a plain process.exit() mid-demo; a signal that kills the process skips it.
  process.once('exit', removeDirectory)
  // Buckets are created here: s3rver rejects the signature of the SDK's CreateBucket request.
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) })
  // s3rver's listen() installs `this.callback()` as the request handler: run every request inside the scope.
  const koaCallback = server.callback.bind(server)
  server.callback = () => {
    const handle = koaCallback()
    return (req, res) => insideS3rver.run(true, () => handle(req, res))
  }
  let address
  try {
    address = await server.run()
  } catch (error) {
    removeDirectory()
    throw error
  }
  let closed = false
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    buckets,
    async close() {
      if (closed) return
      closed = true
      try {
        await server.close()
      } finally {
        removeDirectory()
        process.off('exit', removeDirectory)
      }
    },
  }
}
