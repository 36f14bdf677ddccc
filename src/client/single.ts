// One request carries the whole file: a PUT with exactly the grant's headers, or a POST form with the
// grant's fields in order and the file last. The server completes either.
import { s3Error } from './errors.js'
import type { Context, PostGrantAnswer, PutGrantAnswer } from './protocol.js'
import type { Tracker } from './progress.js'
import { withRetries } from './retry.js'
import { send } from './send.js'

export function putFile(ctx: Context, grant: PutGrantAnswer, file: Blob, track: Tracker): Promise<void> {
  return withRetries(ctx, async (attempt) => {
    const res = await send({ method: 'PUT', url: grant.url, headers: grant.headers, body: file, signal: ctx.signal, fetch: ctx.fetch, onProgress: (loaded) => track.set(0, loaded) })
    if (res.status >= 200 && res.status < 300) return
    // A create-once grant (If-None-Match: *) answers a repeat with 412 when the first attempt stored
    // the object and only its response was lost. complete() verifies what is there.
    if (res.status === 412 && attempt > 0 && grant.headers['if-none-match'] === '*') return
    throw s3Error('the upload (PUT)', res.status, res.body)
  })
}

export function postFile(ctx: Context, grant: PostGrantAnswer, file: Blob, filename: string | undefined, track: Tracker): Promise<void> {
  return withRetries(ctx, async () => {
    const form = new FormData()
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value)
    // Last: S3 ignores every field after the file.
    form.append('file', file, filename ?? 'file')
    const res = await send({ method: 'POST', url: grant.url, body: form, signal: ctx.signal, fetch: ctx.fetch, onProgress: (loaded) => track.set(0, Math.min(loaded, file.size)) })
    if (res.status >= 200 && res.status < 300) return
    throw s3Error('the upload (POST form)', res.status, res.body)
  })
}
