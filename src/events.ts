// Audit events: what was granted, denied, completed, rejected and redeemed, tied to the end-user.
// They never carry a URL, a signature, a credential, a token or a ticket id: only the facts a
// security team needs to reconcile with S3's access logs.
import { redact } from './_internal/redact.js'
import { escapeUnsafe } from './_internal/validate.js'
import { MAX_KEY_BYTES, MAX_SUBJECT_LENGTH } from './limits.js'

export type SafePresignEventType =
  | 'upload.granted'
  | 'upload.denied'
  | 'upload.completed'
  | 'upload.rejected'
  | 'download.granted'
  | 'download.denied'
  | 'ticket.issued'
  | 'ticket.redeemed'
  | 'multipart.created'
  | 'multipart.signed'
  | 'multipart.aborted'

export interface SafePresignEvent {
  type: SafePresignEventType
  /** When it happened (ms since the epoch, from the builder's clock). */
  time: number
  /** The owner (uploads) or requester (downloads, tickets), when known; controls, bidi and zero-width characters escaped as `\uXXXX`. */
  subject?: string
  /** The object key, when known; escaped like `subject`. */
  key?: string
  /** `'ok'` for a grant, else the error code that explains the decision. */
  reason: string
  /** When the grant or ticket stops being valid (ms), for grants. */
  expiresAt?: number
  /** 'PUT' | 'POST' | 'GET' | 'MULTIPART'. */
  method?: string
  /**
   * `upload.rejected` only: what `complete()` found that the client did not declare (the object's
   * real size, digest, stored or sniffed type, the scan's verdict). For the security team, never for
   * the client: the error's `toJSON()` leaves it out.
   */
  observed?: Readonly<Record<string, string | number | boolean>>
}

export type EventHandler = (event: SafePresignEvent) => void | Promise<void>

/**
 * Calls the handler without ever letting it change a decision: a throwing or rejecting hook is
 * reported through `onEventError` (default: console.error) and otherwise ignored.
 */
export function emitter(
  handler: EventHandler | undefined,
  onEventError: (error: unknown, event: SafePresignEvent) => void = defaultEventError,
): (event: SafePresignEvent) => void {
  if (!handler) return () => {}
  return (event) => {
    const safe = sanitizeEvent(event)
    try {
      const result = handler(safe)
      if (result && typeof (result as Promise<void>).then === 'function') {
        ;(result as Promise<void>).then(undefined, (error) => onEventError(error, safe))
      }
    } catch (error) {
      onEventError(error, safe)
    }
  }
}

function defaultEventError(error: unknown, event: SafePresignEvent): void {
  console.error(`[safe-presign] onEvent threw for ${event.type}; the decision stands`, error)
}

// Defence in depth: subjects and keys are caller-controlled strings, and a denied event carries the
// value that was refused. Cut what no valid id or key reaches (both are at most 1024 UTF-16 units),
// strip anything URL-shaped, and escape controls, bidi and zero-width characters as `\uXXXX` text,
// so a SIEM or a terminal shows what the value is and no line can be reordered or forged.
const MAX_EVENT_STRING = Math.max(MAX_SUBJECT_LENGTH, MAX_KEY_BYTES)

function shown(value: string): string {
  if (value.length <= MAX_EVENT_STRING) return escapeUnsafe(redact(value))
  const end = /[\ud800-\udbff]/.test(value[MAX_EVENT_STRING - 1]!) ? MAX_EVENT_STRING - 1 : MAX_EVENT_STRING // never split a pair
  return escapeUnsafe(redact(`${value.slice(0, end)}…`))
}

function sanitizeEvent(event: SafePresignEvent): SafePresignEvent {
  const out: SafePresignEvent = { type: event.type, time: event.time, reason: event.reason }
  if (typeof event.subject === 'string') out.subject = shown(event.subject)
  if (typeof event.key === 'string') out.key = shown(event.key)
  if (event.expiresAt !== undefined) out.expiresAt = event.expiresAt
  if (event.method !== undefined) out.method = event.method
  if (event.observed !== undefined) out.observed = Object.freeze(observedFacts(event.observed))
  return Object.freeze(out)
}

/** Observed facts are flat: strings (shown like keys), finite numbers and booleans; anything else is dropped. */
function observedFacts(observed: Readonly<Record<string, unknown>>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [name, value] of Object.entries(observed)) {
    if (typeof value === 'string') out[name] = shown(value)
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') out[name] = value
  }
  return out
}
