// Content sniffing: what the first bytes of an object really are, compared with what the client
// declared. Magic bytes come from the maintained `file-type` library, not a table of ours.
// On top of it, two cheap rules for what file-type does not detect: markup that a browser would
// run (HTML, SVG, XML) and text types (valid UTF-8, no NUL bytes).


export type SniffVerdict =
  | { ok: true; sniffedType: string }
  | { ok: true; sniffedType: 'unknown'; unverified: true }
  | { ok: false; sniffedType: string; why: string }

// Aliases file-type reports for the same format.
const EQUIVALENT: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'application/x-zip-compressed': 'application/zip',
  'application/x-gzip': 'application/gzip',
}
const canonical = (t: string): string => EQUIVALENT[t] ?? t

// Types a browser may render as active content. Declared as anything else, their bytes are refused.
const MARKUP = /^\s*(?:<\?xml|<!doctype\s+html|<html|<head|<body|<script|<svg|<iframe|<object|<embed|<meta|<a\s|<img\s|<style|<!--)/i
const MARKUP_TYPES = new Set(['text/html', 'image/svg+xml', 'application/xml', 'text/xml', 'application/xhtml+xml'])
const TEXT_TYPES = /^(?:text\/[a-z0-9.+-]+|application\/(?:json|[a-z0-9.-]+\+json|xml|[a-z0-9.-]+\+xml)|image\/svg\+xml)$/

let fileTypeModule: Promise<typeof import('file-type')> | undefined
const loadFileType = () => (fileTypeModule ??= import('file-type'))

/**
 * Compares the first bytes of an object with its declared (stored) type.
 * `unsniffable` decides what happens when neither file-type nor the text rules can tell.
 */
export async function sniff(head: Uint8Array, declaredType: string, unsniffable: 'reject' | 'flag'): Promise<SniffVerdict> {
  const declared = canonical(declaredType.split(';')[0]!.trim().toLowerCase())
  const { fileTypeFromBuffer, supportedMimeTypes } = await loadFileType()
  const detected = await fileTypeFromBuffer(head)
  const sniffed = detected ? canonical(detected.mime) : undefined
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(head.subarray(0, 1024))

  if (!MARKUP_TYPES.has(declared) && MARKUP.test(text.replace(/^\uFEFF/, ''))) {
    return { ok: false, sniffedType: 'text/html', why: 'the bytes are markup a browser would render' }
  }
  if (sniffed) {
    if (sniffed === declared) return { ok: true, sniffedType: sniffed }
    return { ok: false, sniffedType: sniffed, why: `the bytes are ${sniffed}` }
  }
  if ((supportedMimeTypes as ReadonlySet<string>).has(declared) || [...(supportedMimeTypes as ReadonlySet<string>)].some((t) => canonical(t) === declared)) {
    // file-type knows this format's signature and did not find it.
    return { ok: false, sniffedType: 'unknown', why: `the bytes do not carry the ${declared} signature` }
  }
  if (TEXT_TYPES.test(declared)) {
    if (isText(head)) return { ok: true, sniffedType: declared }
    return { ok: false, sniffedType: 'application/octet-stream', why: 'the bytes are not UTF-8 text' }
  }
  if (unsniffable === 'flag') return { ok: true, sniffedType: 'unknown', unverified: true }
  return { ok: false, sniffedType: 'unknown', why: `${declared} cannot be verified by sniffing, and \`unsniffable\` is "reject"` }
}

function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false
  // A multi-byte character may be cut at the end of the sniffed range. Streaming mode holds back
  // exactly such an incomplete trailing sequence, and still throws on any invalid byte.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true })
    return true
  } catch {
    return false
  }
}
