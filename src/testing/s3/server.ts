// startTestS3(): a strict S3 on loopback, in this process, in memory. Each request: body (capped),
// faults, CORS preflight, route, SigV4, handler; S3's error XML for every refusal; CORS headers on
// every answer from an allowed origin.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { S3Client } from '@aws-sdk/client-s3'
import { validBucketName } from './bucket.js'
import { who, type Ctx, type S3Response } from './context.js'
import { corsHeaders, preflight } from './cors.js'
import { S3Error, errorXml } from './errors.js'
import { Faults } from './faults.js'
import { parseRequest, readBody, type S3Request } from './request.js'
import { route } from './router.js'
import { checkPolicies } from './permissions.js'
import { authenticate } from './sigv4.js'
import { newBucket, type Principal, type State } from './state.js'
import type { TestS3, TestS3Options, TestS3Principal, TestS3PrincipalOptions, TestS3RequestLog } from './types.js'

const ACCOUNT = '000000000000'
const randomKey = (bytes: number) => randomBytes(bytes).toString('base64').replace(/[+/=]/g, '').slice(0, Math.ceil(bytes * 1.33))

function checkBucketName(name: unknown): string {
  if (typeof name !== 'string' || !validBucketName(name)) {
    throw new TypeError(`createBucket: the name is ${JSON.stringify(name)}; S3 bucket names are 3-63 lower-case letters, digits, "." and "-"`)
  }
  return name
}

function send(res: ServerResponse, out: S3Response, head: boolean): void {
  const body = out.body === undefined ? undefined : typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength)
  const headers: Record<string, string> = { ...out.headers }
  if (headers['content-length'] === undefined) headers['content-length'] = String(body?.length ?? 0)
  res.writeHead(out.status, headers)
  res.end(head || out.status === 304 || out.status === 204 ? undefined : body)
}

export async function startTestS3(options: TestS3Options = {}): Promise<TestS3> {
  const region = options.region ?? 'us-east-1'
  const rootKeys = options.credentials ?? { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomKey(30) }
  const root: Principal = { name: 'root', arn: `arn:aws:iam::${ACCOUNT}:root`, ...rootKeys, policies: undefined }
  const state: State = {
    region,
    buckets: new Map(),
    principals: new Map([[root.accessKeyId, root]]),
    root,
    maxBytes: options.maxBytes ?? 256 * 1024 ** 2,
    usedBytes: 0,
    now: options.now ?? Date.now,
    counter: 0,
  }
  const startBuckets = (options.buckets ?? []).map(checkBucketName)
  const faults = new Faults()
  const log: TestS3RequestLog[] = []

  function addPrincipal(p: TestS3PrincipalOptions): TestS3Principal {
    if (typeof p?.name !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(p.name)) throw new TypeError(`addPrincipal: \`name\` is ${JSON.stringify(p?.name)}; it must be 1-64 of letters, digits and +=,.@_-`)
    const accessKeyId = p.accessKeyId ?? `AKIA${randomBytes(8).toString('hex').toUpperCase()}`
    if (state.principals.has(accessKeyId)) throw new TypeError(`addPrincipal: the access key of "${p.name}" is already in use`)
    const policies = p.policy === undefined ? [] : Array.isArray(p.policy) ? [...p.policy] : [p.policy]
    checkPolicies(p.name, policies)
    const principal: Principal = { name: p.name, arn: `arn:aws:iam::${ACCOUNT}:user/${p.name}`, accessKeyId, secretAccessKey: p.secretAccessKey ?? randomKey(30), policies }
    state.principals.set(accessKeyId, principal)
    return { name: principal.name, arn: principal.arn, accessKeyId, secretAccessKey: principal.secretAccessKey }
  }
  for (const p of options.principals ?? []) addPrincipal(p)

  function createBucket(name: string): string {
    checkBucketName(name)
    if (!state.buckets.has(name)) state.buckets.set(name, newBucket(name, state.now()))
    return name
  }
  const reset = () => {
    state.buckets.clear()
    state.usedBytes = 0
    faults.clear()
    log.length = 0
    for (const name of startBuckets) createBucket(name)
  }
  reset()

  async function handle(message: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = (++state.counter).toString(16).toUpperCase().padStart(16, '0')
    const common = { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(requestId).toString('base64'), server: 'safe-presign-test-s3', date: new Date(state.now()).toUTCString() }
    let req: S3Request | undefined
    let ctx: Ctx | undefined
    let operation = 'Unknown'
    let principal = 'anonymous'
    const finish = (out: S3Response, code?: string) => {
      const cors = req ? corsHeaders(state, req) : {}
      send(res, { ...out, headers: { ...common, ...cors, ...out.headers } }, message.method === 'HEAD')
      // POST Object sets ctx.auth itself once the form's signature checks out: log who it was.
      log.push({ method: req?.method ?? message.method ?? '', operation, bucket: req?.bucket, key: req?.key, status: out.status, code, principal: ctx ? who(ctx.auth) : principal })
    }
    const fail = (error: S3Error) => {
      const resource = req ? decodeURIComponent(req.rawPath) : message.url ?? '/'
      finish({ status: error.status, headers: { 'content-type': 'application/xml' }, body: errorXml(error, resource, requestId) }, error.code)
    }
    try {
      const body = await readBody(message, Math.min(state.maxBytes, 5 * 1024 ** 3 + 64 * 1024))
      req = parseRequest(message, body)
      // S3's longest key: 1024 bytes of UTF-8, for every operation on a key.
      if (req.key !== undefined && Buffer.byteLength(req.key) > 1024) throw new S3Error(400, 'KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: '1024', Size: String(Buffer.byteLength(req.key)) })
      const found = req.method === 'OPTIONS' ? undefined : route(req)
      operation = found?.operation ?? 'Preflight'
      const fault = faults.take(req, operation)
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs))
      if (fault?.drop) {
        message.socket.destroy()
        log.push({ method: req.method, operation, bucket: req.bucket, key: req.key, status: 0, code: 'dropped', principal })
        return
      }
      if (fault?.status === 500) throw new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.')
      if (fault?.status === 503) throw new S3Error(503, 'SlowDown', 'Please reduce your request rate.')
      if (!found) return finish(preflight(state, req))
      const auth = found.selfAuthenticated ? { principal: undefined, type: 'anonymous' as const, signedHeaders: new Set<string>() } : authenticate(state, req)
      principal = auth.principal?.name ?? 'anonymous'
      ctx = { state, req, auth, requestId }
      finish(await found.handler(ctx))
    } catch (error) {
      if (error instanceof S3Error) return fail(error)
      fail(new S3Error(500, 'InternalError', `We encountered an internal error: ${error instanceof Error ? error.message : String(error)}`))
    }
  }

  const server = createServer((message, res) => {
    handle(message, res).catch(() => res.destroy())
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const endpoint = `http://127.0.0.1:${port}`
  let closed: Promise<void> | undefined
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }))

  return {
    endpoint,
    region,
    credentials: { ...rootKeys },
    client: (o = {}) => new S3Client({ endpoint, region, forcePathStyle: true, credentials: o.credentials ?? rootKeys, maxAttempts: o.maxAttempts ?? 1 }),
    createBucket,
    addPrincipal,
    faults: { inject: (f) => faults.inject(f), clear: () => faults.clear(), get pending() { return faults.pending } },
    get requests() {
      return log
    },
    reset,
    close,
    [Symbol.asyncDispose]: close,
  }
}
