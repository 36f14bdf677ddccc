// Lengths and UTF-8 bytes of strings: what a grant measures (filenames, keys, base64 digests). Apart
// from the encoders in bytes.ts, which only tickets, POST policies and complete() need, so a bundler
// can keep those out of the start bundle.

const encoder = new TextEncoder()

/** UTF-8 bytes of a string; a lone surrogate counts as U+FFFD (3 bytes), as in Buffer.byteLength. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}

export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length
}

/**
 * The length `Buffer.from(text, 'base64')` would have, for text that is canonical base64 (the only
 * text isBase64Digest asks about): three bytes per four characters, less one per '='.
 */
export function base64ByteLength(canonical: string): number {
  const padding = canonical.endsWith('==') ? 2 : canonical.endsWith('=') ? 1 : 0
  return (canonical.length / 4) * 3 - padding
}
