// A form field is UTF-8 text; an object's metadata and headers go back out as HTTP header values,
// which carry bytes. S3 stores POSTed metadata with anything outside printable ASCII as RFC 2047
// encoded words, and it returns them so ("ÄMÄZÕÑ S3" comes back "=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=").
// AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html ("character decoded
// as per RFC 2047 before storing and encoded as per RFC 2047 to make them mail-safe before returning").

// Not printable ASCII, for the choice of encoding (tab, CR and LF count as ASCII, as in JavaMail).
const isNonAscii = (code: number) => code >= 0x7f || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)
const Q_SPECIALS = new Set([...'=_?'].map((c) => c.charCodeAt(0)))
const PREFIX_Q = '=?UTF-8?Q?'
const PREFIX_B = '=?UTF-8?B?'
// 75 bytes an encoded word (RFC 2047 §2), less "=?", "?Q?", "?=" and the charset name.
const AVAILABLE = 75 - 7 - 'UTF-8'.length

const qByte = (b: number) => (b === 0x20 ? '_' : b < 0x20 || b >= 0x7f || Q_SPECIALS.has(b) ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b))

function words(text: string, base64: boolean, out: string[]): void {
  const bytes = Buffer.from(text, 'utf8')
  const encoded = base64 ? bytes.toString('base64') : [...bytes].map(qByte).join('')
  const chars = [...text]
  if (encoded.length > AVAILABLE && chars.length > 1) {
    // Halved by code point, so a surrogate pair or a multi-byte character is never cut.
    const half = Math.floor(chars.length / 2)
    words(chars.slice(0, half).join(''), base64, out)
    words(chars.slice(half).join(''), base64, out)
    return
  }
  out.push(`${base64 ? PREFIX_B : PREFIX_Q}${encoded}?=`)
}

/**
 * A metadata value as S3 keeps it: unchanged when it is printable ASCII; otherwise encoded words, Q
 * when most characters are ASCII, B when not, each at most 75 bytes, joined by spaces.
 */
export function mimeEncode(value: string): string {
  let nonAscii = 0
  for (const ch of value) if (isNonAscii(ch.codePointAt(0)!)) nonAscii++
  if (nonAscii === 0) return value
  const ascii = [...value].length - nonAscii
  const out: string[] = []
  words(value, ascii <= nonAscii, out)
  return out.join(' ')
}

/**
 * A stored header (Content-Type, Content-Disposition, ...) as the bytes the form sent: UTF-8, held as
 * a latin1 string, which is how Node reads and writes header bytes. A PUT with the same bytes stores
 * the same string, and GET sends the bytes back unchanged.
 */
export const headerText = (value: string): string => Buffer.from(value, 'utf8').toString('latin1')
