// Multipart: parts in parallel, part URLs signed just in time in batches, each part retried on network
// errors and 5xx. The server lists the parts itself when it completes, so no ETag is collected here.
import { aborted, isSafePresignClientError, s3Error } from './errors.js'
import { algorithmAsked, digestBase64, type DigestAlgorithm } from './digest.js'
import { call, expect, type Checksum, type Context, type PartsListAnswer, type PartUrl } from './protocol.js'
import type { Tracker } from './progress.js'
import { withRetries } from './retry.js'
import { send } from './send.js'

/** The handler signs at most this many parts a call. */
const BATCH = 100
/** A part URL this close to its expiry is signed again before it is used. */
const MARGIN_MS = 30_000

export interface Upload {
  key: string
  uploadId: string
  partSize: number
  partCount: number
  checksum: Checksum
}

/** Uploads every part of `file` not in `held`; rejects with the first part's error (the others are stopped). */
export async function uploadParts(ctx: Context, up: Upload, file: Blob, held: ReadonlySet<number>, concurrency: number, track: Tracker): Promise<void> {
  const range = (n: number) => file.slice((n - 1) * up.partSize, Math.min(n * up.partSize, file.size))
  const queue: number[] = []
  let resumed = 0
  for (let n = 1; n <= up.partCount; n++) {
    if (held.has(n)) resumed += range(n).size
    else queue.push(n)
  }
  // The parts S3 already holds count from the start, in one report.
  if (resumed > 0) track.set(0, resumed)
  // One controller for this upload's requests: a failing part stops the rest.
  const inner = new AbortController()
  const stop = () => inner.abort()
  ctx.signal?.addEventListener('abort', stop, { once: true })
  const partCtx: Context = { ...ctx, signal: inner.signal }
  const sign = signer(partCtx, up, range, queue, concurrency)
  let failure: unknown
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined && failure === undefined; n = queue.shift()) {
      const part = n
      const body = range(part)
      try {
        await withRetries(partCtx, async () => {
          const url = await sign(part)
          const res = await send({ method: 'PUT', url: url.url, headers: url.headers, body, signal: inner.signal, fetch: ctx.fetch, onProgress: (loaded) => track.set(part, loaded) })
          if (res.status < 200 || res.status >= 300) throw s3Error(`part ${part}`, res.status, res.body)
          track.set(part, body.size)
        })
      } catch (error) {
        failure ??= error
        inner.abort()
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker))
  } finally {
    ctx.signal?.removeEventListener('abort', stop)
  }
  if (ctx.signal?.aborted) throw aborted()
  if (failure !== undefined) throw failure
}

/**
 * `sign(n)` resolves to part n's URL. A miss asks for a batch: n and the next parts still queued that
 * have no URL, up to 100 (with per-part digests, as many as run at once, since each digest reads its part).
 */
function signer(ctx: Context, up: Upload, range: (n: number) => Blob, queue: readonly number[], concurrency: number) {
  const cache = new Map<number, Promise<PartUrl>>()
  let algorithm: DigestAlgorithm | undefined = up.checksum ?? undefined

  const batch = async (numbers: number[]): Promise<Map<number, PartUrl>> => {
    const ask = async () => {
      const parts = await Promise.all(numbers.map(async (partNumber) => (algorithm ? { partNumber, checksum: await digestBase64(range(partNumber), algorithm) } : { partNumber })))
      return call<{ parts?: PartUrl[] }>(ctx, 'parts', { key: up.key, uploadId: up.uploadId, parts }, true)
    }
    let answer: { parts?: PartUrl[] }
    try {
      answer = await ask()
    } catch (error) {
      // A resumed upload does not know the builder's checksum until the handler asks for it.
      const asked = isSafePresignClientError(error) && error.code === 'CHECKSUM_REQUIRED' && !algorithm ? algorithmAsked(error.details, error.message) : undefined
      if (!asked) throw error
      algorithm = asked
      answer = await ask()
    }
    const byNumber = new Map((Array.isArray(answer.parts) ? answer.parts : []).map((p) => [p.partNumber, p]))
    for (const n of numbers) expect(typeof byNumber.get(n)?.url === 'string', `URL for part ${n}`)
    return byNumber
  }

  return async (n: number): Promise<PartUrl> => {
    const hit = cache.get(n)
    if (hit) {
      const url = await hit.catch(() => undefined)
      if (url && url.expiresAt - MARGIN_MS > Date.now()) return url
    }
    const size = algorithm ? Math.max(1, Math.min(concurrency, BATCH)) : BATCH
    const numbers = [n, ...queue.filter((p) => p !== n && !cache.has(p))].slice(0, size)
    const pending = batch(numbers)
    for (const p of numbers) {
      const one = pending.then((m) => m.get(p)!)
      one.catch(() => {}) // awaited by its part's worker, or never: no unhandled rejection
      cache.set(p, one)
    }
    return cache.get(n)!
  }
}

/** The held parts of an upload being resumed: those S3 holds at their planned size. */
export function heldParts(list: PartsListAnswer, size: number): Set<number> {
  const { partSize, partCount } = list
  expect(Number.isInteger(partSize) && partSize > 0 && Number.isInteger(partCount) && partCount > 0 && Array.isArray(list.parts), 'part plan')
  const held = new Set<number>()
  for (const p of list.parts) {
    const planned = p.partNumber < partCount ? partSize : size - partSize * (partCount - 1)
    if (p.size === planned) held.add(p.partNumber)
  }
  return held
}
