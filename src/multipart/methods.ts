// The multipart methods of createSafeUpload, loaded together on the first multipart call (an
// import() in upload.ts), so an app that only signs single PUTs does not carry them. Each runs with
// the builder's clock and reports upload.denied on a refusal; the rejections complete() and
// completeMultipart() report themselves (upload.rejected) are not denials.
import { isSafePresignError } from '../errors.js'
import type { SafePresignEvent, SafePresignEventType } from '../events.js'
import type { SafeUpload } from '../upload.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import { abortMultipart, completeMultipart } from './complete.js'
import { createMultipart } from './create.js'
import { listParts, signParts } from './parts.js'
import { sweepMultipart } from './sweep.js'

type Emit = (event: SafePresignEvent) => void
export type MultipartMethods = Pick<SafeUpload, 'createMultipart' | 'signParts' | 'listParts' | 'completeMultipart' | 'abortMultipart' | 'sweepMultipart'>

const REJECTIONS: ReadonlySet<string> = new Set(['SIZE_MISMATCH', 'TYPE_MISMATCH', 'CONTENT_MISMATCH', 'CHECKSUM_MISMATCH', 'SCAN_FAILED', 'UPLOAD_MISSING', 'OBJECT_UNREADABLE', 'UPLOAD_REJECTED'])

export function multipartMethods(cfg: ResolvedUploadConfig, emit: Emit): MultipartMethods {
  /** Runs a step with the builder's clock, emitting `ok` on success and upload.denied on refusal. */
  async function step<T>(request: unknown, ok: SafePresignEventType | undefined, run: (now: number) => Promise<T>, keyOf: (out: T) => string | undefined): Promise<T> {
    const now = cfg.now()
    const subject = typeof request === 'object' && request !== null ? (request as { owner?: unknown }).owner : undefined
    try {
      const out = await run(now)
      if (ok) emit({ type: ok, time: now, subject: subject as string, key: keyOf(out), reason: 'ok', method: 'MULTIPART' })
      return out
    } catch (error) {
      if (!isSafePresignError(error) || !REJECTIONS.has(error.code)) {
        const key = typeof request === 'object' && request !== null ? (request as { key?: unknown }).key : undefined
        emit({ type: 'upload.denied', time: now, subject: typeof subject === 'string' ? subject : undefined, key: typeof key === 'string' ? key : undefined, reason: isSafePresignError(error) ? error.code : 'INTERNAL', method: 'MULTIPART' })
      }
      throw error
    }
  }

  return {
    createMultipart: (request) => step(request, 'multipart.created', (now) => createMultipart(cfg, request, now), (out) => out.key),
    signParts: (request) => step(request, 'multipart.signed', (now) => signParts(cfg, request, now), () => request?.key),
    listParts: (request) => step(request, undefined, (now) => listParts(cfg, request, now), (out) => out.key),
    completeMultipart: (request) => step(request, undefined, (now) => completeMultipart(cfg, emit, request, now), (out) => out.key),
    abortMultipart: (request) => step(request, undefined, (now) => abortMultipart(cfg, emit, request, now), (out) => out.key),
    sweepMultipart: async (options) => sweepMultipart(cfg, options?.now ?? cfg.now()),
  }
}
