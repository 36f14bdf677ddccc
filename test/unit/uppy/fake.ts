// A fake Uppy (the part the adapter uses, with core's own 'upload-error' bookkeeping) and a fake handler
// behind a fake fetch that records every route and body.
import { createHash } from 'node:crypto'

type Listener = (...args: any[]) => void

export interface FakeFile {
  id: string
  name: string
  type: string
  size: number
  data: Blob
  error?: string | null
  response?: any
  uploadURL?: string
  progress?: Record<string, unknown>
  [k: string]: unknown
}

export function fakeUppy(version: string) {
  const files = new Map<string, FakeFile>()
  const listeners = new Map<string, Listener[]>()
  const pre: ((ids: string[]) => unknown)[] = []
  const post: ((ids: string[]) => unknown)[] = []
  const emitted: { event: string; args: any[] }[] = []
  class Uppy {
    static VERSION = version
    getFile = (id: string) => files.get(id)
    setFileState = (id: string, state: Partial<FakeFile>) => {
      const file = files.get(id)
      if (file) files.set(id, { ...file, ...state })
    }
    emit = (event: string, ...args: any[]) => {
      emitted.push({ event, args })
      // What @uppy/core does first on 'upload-error': the message becomes file.error, the third argument the response.
      if (event === 'upload-error') this.setFileState(args[0].id, { error: args[1]?.message ?? 'Unknown error', response: args[2] })
      for (const l of listeners.get(event) ?? []) l(...args)
    }
    on = (event: string, l: Listener) => void listeners.set(event, [...(listeners.get(event) ?? []), l])
    addPreProcessor = (fn: (ids: string[]) => unknown) => void pre.push(fn)
    addPostProcessor = (fn: (ids: string[]) => unknown) => void post.push(fn)
  }
  const uppy = new Uppy()
  return {
    uppy,
    files,
    emitted,
    add(id: string, bytes: Uint8Array, type = 'image/png', name = 'photo.png') {
      const file: FakeFile = { id, name, type, size: bytes.length, data: new Blob([bytes], { type }), progress: {} }
      files.set(id, file)
      return file
    },
    preprocess: async (ids: string[]) => {
      for (const fn of pre) await fn(ids)
    },
    postprocess: async (ids: string[]) => {
      for (const fn of post) await fn(ids)
    },
  }
}

export type Route = (body: any, call: number) => { status?: number; json: unknown }

/** A fetch that answers `routes[name]` and records `{ route, body, headers }` for every call. */
export function fakeHandler(routes: Record<string, Route>) {
  const calls: { route: string; body: any; headers: Record<string, string> }[] = []
  const fetch = async (input: unknown, init?: RequestInit) => {
    const url = String(input)
    const route = url.replace(/^.*\/uploads\//, '')
    const body = JSON.parse(String(init?.body ?? 'null'))
    calls.push({ route, body, headers: init?.headers as Record<string, string> })
    const answer = routes[route]
    if (!answer) return new Response(JSON.stringify({ name: 'SafePresignError', code: 'ROUTE_NOT_FOUND', message: 'no route' }), { status: 404 })
    const { status = 200, json } = answer(body, calls.filter((c) => c.route === route).length)
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } })
  }
  return { fetch: fetch as typeof globalThis.fetch, calls, routes: (name: string) => calls.filter((c) => c.route === name) }
}

export const refusal = (status: number, code: string, message = `${code} refusal`) => ({ status, json: { name: 'SafePresignError', code, message, details: { key: 'uploads/x' } } })
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64')
export const committed = (key: string) => ({ json: { key, state: 'committed', size: 4, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: false } })
export const PUT_GRANT = {
  kind: 'put',
  key: 'uploads/final.png',
  url: 'https://s3.test/bucket/uploads/final.png?X-Amz-Signature=abc',
  headers: { 'content-type': 'image/png', 'content-length': '4', 'if-none-match': '*', 'x-amz-checksum-sha256': 'AAAA' },
  expiresAt: Date.now() + 300_000,
  checksum: 'sha256',
}
export const POST_GRANT = {
  kind: 'post',
  key: 'uploads/final.png',
  url: 'https://s3.test/bucket',
  fields: { key: 'quarantine/final.png', 'Content-Type': 'image/png', Policy: 'p', 'X-Amz-Signature': 's' },
  expiresAt: Date.now() + 300_000,
  checksum: null,
}
export const MP_GRANT = { kind: 'multipart', key: 'uploads/big.png', uploadId: '2~abc', partSize: 5, partCount: 3, expiresAt: Date.now() + 86_400_000, checksum: 'sha256' }
