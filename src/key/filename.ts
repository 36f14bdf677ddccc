/**
 * Filename sanitizing. The name a user uploads is display metadata only: object keys are UUIDs and
 * never contain it. So the goal is a harmless, recognizable name for a download dialog, a
 * Content-Disposition header or a UI, not a storage path. Every rule and why: docs/filenames.md.
 */
import { SafePresignError } from '../errors.js'
import { MAX_FILENAME_INPUT_BYTES } from '../limits.js'

/** The default cap on a sanitized name, in UTF-8 bytes: NAME_MAX on ext4, APFS and (in UTF-16 units) NTFS. */
export const DEFAULT_MAX_FILENAME_BYTES = 255

/** An extension longer than this is not kept when a long name is truncated. */
const MAX_EXTENSION_BYTES = 16

export interface SanitizeFilenameOptions {
  /**
   * The longest name to return, in UTF-8 bytes. Longer names are cut between grapheme clusters,
   * keeping the extension.
   * @default 255
   */
  maxBytes?: number
}

export type SanitizeFilenameResult = { ok: true; value: string } | { ok: false; error: SafePresignError }

// Only the ASCII separators split a name into path segments: they are what a client sends when it
// sends a path (`C:\fakepath\photo.jpg`, `../../etc/passwd`), and its last segment is the name.
// Look-alikes that appear after NFKC (fullwidth `／`, `℅` → `c/o`) are replaced below instead,
// so `２０２４／０１.pdf` keeps its date.
const PATH_SEPARATORS = /[/\\]/
const TRAILING_SEPARATORS = /[/\\]+$/

// Renders as blank: every White_Space character (tab, CR, LF, NEL, NBSP, U+3000, U+2028 ...), and
// U+2800 BRAILLE PATTERN BLANK, which is not White_Space but shows as nothing. Mapped to one space.
const BLANK = /[\p{White_Space}\u2800]/gu

// Renders as nothing, or is not a character: controls (C0, DEL, C1), format characters (bidi
// controls U+202A-U+202E, U+2066-U+2069, U+200E/U+200F, U+061C; ZWSP/ZWNJ/ZWJ, U+2060, U+FEFF,
// U+00AD, tag characters), every other Default_Ignorable_Code_Point (variation selectors, Hangul
// fillers), noncharacters and lone surrogates. Removed, so the name shows what it is.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/gu

// Reserved on Windows (`<>:"/\|?*`), and the symbols whose only job is to look like a slash or a
// backslash (fraction slash, division slash, set minus, big solidus, box-drawing diagonals ...).
// Replaced with `_`. Letters and ideographs that resemble a slash (ノ, 丿) are text and are kept.
const RESERVED =
  /[<>:"/\\|?*\u1735\u2041\u2044\u2215\u2216\u2571\u2572\u27CB\u27CD\u29F5\u29F8\u29F9\u31D3\u31D4\uFE68\uFF0F\uFF3C]/gu

const LEADING_DOTS_AND_SPACES = /^[. ]+/
const TRAILING_DOTS_AND_SPACES = /[. ]+$/

// Windows device names, with or without an extension (`nul.tar.gz`) and with trailing spaces
// before it (`CON .txt`). ¹²³ can't survive NFKC; they are listed so the rule reads complete.
const DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$) *$/i

/**
 * A harmless display name for `name`, at most `maxBytes` UTF-8 bytes.
 * Throws `SafePresignError` `INVALID_FILENAME` when nothing safe remains, `name` is not a string, or
 * it is over MAX_FILENAME_INPUT_BYTES (4096) UTF-8 bytes (refused before any other work).
 * @example sanitizeFilename('../../etc/passwd') // 'passwd'
 * @example sanitizeFilename('invoice\u202Efdp.exe') // 'invoicefdp.exe'
 */
export function sanitizeFilename(name: string, options?: SanitizeFilenameOptions): string {
  const result = safeSanitizeFilename(name, options)
  if (!result.ok) throw result.error
  return result.value
}

/** {@link sanitizeFilename} that returns `{ ok, value | error }` instead of throwing. */
export function safeSanitizeFilename(name: string, options?: SanitizeFilenameOptions): SanitizeFilenameResult {
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_FILENAME_BYTES
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    const error = new SafePresignError(
      'INVALID_CONFIG',
      `\`maxBytes\` is ${String(maxBytes)}; it must be an integer of at least 1`,
      { details: { option: 'maxBytes', value: String(maxBytes), minimum: 1 } },
    )
    return { ok: false, error }
  }
  const input: unknown = name
  if (typeof input !== 'string') {
    const received = input === null ? 'null' : typeof input
    return invalid(input, 'NOT_A_STRING', `a filename must be a string; received ${received}`)
  }
  if (input === '') return invalid(input, 'EMPTY', 'it is empty')
  // Before any work: NFKC, the regexes and grapheme segmentation all cost time in the input's length.
  if (tooLong(input)) {
    return invalid(input, 'TOO_LONG', `it is longer than ${MAX_FILENAME_INPUT_BYTES} UTF-8 bytes, the most read before sanitizing`, {
      limit: MAX_FILENAME_INPUT_BYTES,
    })
  }

  const base = lastSegment(input)
  if (base === '') return invalid(input, 'ONLY_SEPARATORS', 'it has no name after its last path separator')

  let value = cleanCharacters(base)
    .replace(/ {2,}/g, ' ')
    .replace(LEADING_DOTS_AND_SPACES, '')
    .replace(TRAILING_DOTS_AND_SPACES, '')
  if (value === '') {
    return invalid(input, 'NOTHING_SAFE_LEFT', 'only dots, spaces, control or invisible characters remain')
  }

  value = renameDevice(value)
  if (utf8Length(value) > maxBytes) {
    value = truncate(value, maxBytes)
    if (value === '') {
      return invalid(input, 'MAX_BYTES_TOO_SMALL', `its first character does not fit in \`maxBytes\` ${maxBytes}`, {
        maxBytes,
      })
    }
    // Cutting `consoles.txt` can leave `con.txt`: rename again. The `_` makes it no device name.
    const renamed = renameDevice(value)
    if (renamed !== value) value = truncate(renamed, maxBytes)
  }
  return { ok: true, value }
}

/**
 * The extension of the sanitized name, lower-cased and without the dot (`'shell.pHp5'` → `'php5'`),
 * or `undefined` when the name is invalid or has none. An extension is 1 to 16 bytes after the
 * last dot, without spaces. For display and allowlist checks only: keys never contain it.
 */
export function filenameExtension(name: string): string | undefined {
  const result = safeSanitizeFilename(name)
  if (!result.ok) return undefined
  const ext = extensionOf(result.value)
  return ext === undefined ? undefined : ext.toLowerCase()
}

// POSIX basename: trailing separators are ignored (`photos/` → `photos`), the last segment is kept.
function lastSegment(name: string): string {
  const trimmed = name.replace(TRAILING_SEPARATORS, '')
  const segments = trimmed.split(PATH_SEPARATORS)
  return segments[segments.length - 1] ?? ''
}

// NFKC first, so compatibility characters (fullwidth `．／`, `‥` → `..`, `℅` → `c/o`, `COM¹` →
// `COM1`) become the ASCII they stand for and then meet the rules below: validate after
// normalising, never before. Removing an invisible character can bring a base letter and a
// combining mark together, so normalise once more; that only composes, and composed characters
// are letters, never blanks, separators or reserved characters.
function cleanCharacters(text: string): string {
  return text
    .normalize('NFKC')
    .replace(BLANK, ' ')
    .replace(INVISIBLE, '')
    .replace(RESERVED, '_')
    .normalize('NFKC')
}

function renameDevice(name: string): string {
  const base = name.split('.')[0] ?? ''
  return DEVICE_NAME.test(base) ? `_${name}` : name
}

function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return undefined
  const ext = name.slice(dot + 1)
  const bytes = utf8Length(ext)
  return bytes >= 1 && bytes <= MAX_EXTENSION_BYTES && !ext.includes(' ') ? ext : undefined
}

// Cut to `maxBytes`, keeping the extension when there is room for it and for some of the stem.
// A prefix of an NFKC string is NFKC, so the cut needs no normalising; the trailing rule does rerun.
function truncate(name: string, maxBytes: number): string {
  const ext = extensionOf(name)
  if (ext !== undefined) {
    const suffix = `.${ext}`
    const room = maxBytes - utf8Length(suffix)
    if (room >= 1) {
      const stem = cutToBytes(name.slice(0, name.length - suffix.length), room).replace(TRAILING_DOTS_AND_SPACES, '')
      if (stem !== '') return stem + suffix
    }
  }
  return cutToBytes(name, maxBytes).replace(TRAILING_DOTS_AND_SPACES, '')
}

// The longest prefix of whole grapheme clusters within `budget` bytes, so `👍🏽` or `q́` is never
// split. A single cluster can be arbitrarily long (`a` + 300 combining marks): when even the first
// one does not fit, fall back to whole code points, which never splits a surrogate pair.
function cutToBytes(text: string, budget: number): string {
  const byCluster = takeWithin(graphemes(text), budget)
  return byCluster !== '' ? byCluster : takeWithin(text, budget)
}

function takeWithin(units: Iterable<string>, budget: number): string {
  let out = ''
  let used = 0
  for (const unit of units) {
    used += utf8Length(unit)
    if (used > budget) break
    out += unit
  }
  return out
}

let segmenter: Intl.Segmenter | null | undefined
function* graphemes(text: string): Generator<string> {
  // Created on first use (the module stays free of side effects); absent in some runtimes.
  if (segmenter === undefined) {
    segmenter = typeof Intl === 'object' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null
  }
  if (segmenter === null) {
    yield* text
    return
  }
  for (const { segment } of segmenter.segment(text)) yield segment
}

// A UTF-16 unit is at least one UTF-8 byte, so a longer string is over the cap without counting,
// and a shorter one is counted in bounded time.
function tooLong(text: string): boolean {
  return text.length > MAX_FILENAME_INPUT_BYTES || utf8Length(text) > MAX_FILENAME_INPUT_BYTES
}

function utf8Length(text: string): number {
  let bytes = 0
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
  }
  return bytes
}

// Messages quote the input: JSON-quoted, cut to 64 code points, and with everything outside
// printable ASCII escaped, so a bidi override or a CR can't rewrite a log line. Only the first 64
// code points are read; the rest is counted only when the input is within the cap.
function preview(input: unknown): string {
  if (typeof input !== 'string') return typeof input
  let head = ''
  let n = 0
  for (const char of input) {
    if (n++ === 64) break
    head += char
  }
  const quoted = JSON.stringify(head).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (head.length === input.length) return quoted
  return tooLong(input) ? `${quoted}... (over ${MAX_FILENAME_INPUT_BYTES} bytes)` : `${quoted}... (${Array.from(input).length} characters)`
}

function invalid(
  input: unknown,
  reason: string,
  why: string,
  extra: Record<string, unknown> = {},
): { ok: false; error: SafePresignError } {
  const shown = preview(input)
  const message =
    reason === 'NOT_A_STRING'
      ? `Invalid filename: ${why}`
      : reason === 'TOO_LONG'
        ? `Filename ${shown} is refused: ${why}`
        : `Filename ${shown} has nothing safe left: ${why}`
  return { ok: false, error: new SafePresignError('INVALID_FILENAME', message, { details: { input: shown, reason, ...extra } }) }
}
