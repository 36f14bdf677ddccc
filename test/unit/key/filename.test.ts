import { existsSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SafePresignError } from '../../../src/errors.js'
import {
  DEFAULT_MAX_FILENAME_BYTES,
  filenameExtension,
  safeSanitizeFilename,
  sanitizeFilename,
} from '../../../src/key/filename.js'
import { MAX_FILENAME_INPUT_BYTES } from '../../../src/limits.js'

// The corpus lives in ../shared beside the repo; test/fixtures holds a committed copy for checkouts without it.
interface CorpusEntry {
  input: string
  why: string
}
const repoRoot = new URL('../../../', import.meta.url)
const sharedCorpus = new URL('../shared/corpus/filenames.json', repoRoot)
const fixtureCorpus = new URL('test/fixtures/filenames.json', repoRoot)
const corpus: CorpusEntry[] = JSON.parse(readFileSync(existsSync(sharedCorpus) ? sharedCorpus : fixtureCorpus, 'utf8'))

const INVALID = Symbol('INVALID_FILENAME')
type Expected = string | typeof INVALID

// Written from the rules in docs/filenames.md, one entry per corpus input, in corpus order.
const CORPUS_EXPECTED: ReadonlyArray<readonly [input: string, expected: Expected]> = [
  ['../../../etc/passwd', 'passwd'], // last path segment
  ['....//....//etc/passwd', 'passwd'],
  ['%252e%252e%252fetc%252fpasswd', '%252e%252e%252fetc%252fpasswd'], // never decoded: stays literal
  ['/etc/passwd', 'passwd'],
  ['\\\\attacker.example\\share\\payload.exe', 'payload.exe'], // UNC: `\` is a separator too
  ['a/./b/../../c.png', 'c.png'],
  ['\u2025/\u2025/etc/passwd', 'passwd'],
  // U+2215 is no separator: replaced with `_`, then the leading dots go
  ['..\u2215..\u2215etc\u2215passwd', '_.._etc_passwd'],
  ['caf\u00e9.txt', 'caf\u00e9.txt'],
  ['p\u0430yp\u0430l-invoice.pdf', 'p\u0430yp\u0430l-invoice.pdf'], // homoglyphs are text: kept
  ['invoice\u202efdp.exe', 'invoicefdp.exe'], // RLO removed: the real extension shows
  ['inv\u200boice.pdf', 'invoice.pdf'],
  ['shell.php%00.jpg', 'shell.php%00.jpg'],
  ['file.php.jpg', 'file.php.jpg'],
  ['shell.pHp5', 'shell.pHp5'],
  ['shell.php.', 'shell.php'],
  ['logo.svg', 'logo.svg'],
  ['.htaccess', 'htaccess'],
  ['nul.tar.gz', '_nul.tar.gz'],
  ['CONOUT$', '_CONOUT$'],
  ['', INVALID],
  ['\u3000\u00a0', INVALID],
  ['..', INVALID],
  ['a'.repeat(300) + '.pdf', 'a'.repeat(251) + '.pdf'], // 255 bytes, extension kept
  ['\u{1F600}'.repeat(70) + '.png', '\u{1F600}'.repeat(62) + '.png'], // 62 × 4 + 4 = 252 bytes
  ['x/'.repeat(520) + 'y.png', 'y.png'],
  ['a.txt\r\nSet-Cookie: session=attacker', 'a.txt Set-Cookie_ session=attacker'],
  ['report.pdf; filename=evil.exe', 'report.pdf; filename=evil.exe'], // `;` is harmless in a name
  ['100%25 real%22.pdf', '100%25 real%22.pdf'],
  ['$(reboot).png', '$(reboot).png'],
]

// What other sanitizers got wrong (research/security-facts.md §3), and the edges of each rule.
const MORE_CASES: ReadonlyArray<readonly [input: string, expected: Expected]> = [
  // Werkzeug drops non-ASCII letters (`авто.pdf` → `pdf`) and leaves `CON` alone on Linux
  ['\u0430\u0432\u0442\u043e.pdf', '\u0430\u0432\u0442\u043e.pdf'],
  ['CON', '_CON'],
  ['con.txt', '_con.txt'],
  ['CON .txt', '_CON .txt'],
  ['aux.', '_aux'],
  ['COM\u00b9.txt', '_COM1.txt'],
  ['lpt\u00b2', '_lpt2'],
  ['CONIN$.log', '_CONIN$.log'],
  ['clock$', '_clock$'],
  ['COM0', '_COM0'],
  ['COM10.txt', 'COM10.txt'],
  ['console.txt', 'console.txt'],
  ['nullable.txt', 'nullable.txt'],
  // Django keeps `...`, trailing dots and `.`
  ['...', INVALID],
  ['.', INVALID],
  ['. . .', INVALID],
  ['report...', 'report'],
  ['report. . ', 'report'],
  // Rails keeps other bidi and zero-width characters
  ['evil\u202Efdp.exe', 'evilfdp.exe'],
  ['a\u2066b\u2069c\u200e\u200f\u061c.txt', 'abc.txt'],
  ['in\u00advoice\u2060.pdf', 'invoice.pdf'],
  ['\ufeffreport.pdf', 'report.pdf'],
  ['a\u200cb\u200dc.txt', 'abc.txt'],
  ['invoice.pdf\u{E0069}\u{E0067}\u{E006E}', 'invoice.pdf'], // tag characters (ASCII smuggling)
  ['.\u200b.', INVALID],
  // sanitize-filename keeps leading dots, fullwidth `．／`, and has no NFC
  ['.env', 'env'],
  ['..hidden', 'hidden'],
  ['\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc\uff0fpasswd', '_.._etc_passwd'],
  ['\u2024htaccess', 'htaccess'], // ONE DOT LEADER → `.`
  ['\u2025', INVALID], // TWO DOT LEADER → `..`
  ['cafe\u0301.txt', 'caf\u00e9.txt'],
  ['\uff52\uff45\uff50\uff4f\uff52\uff54\uff0e\uff50\uff44\uff46', 'report.pdf'],
  ['\ufb01le.pdf', 'file.pdf'],
  // Look-alike separators that NFKC produces or keeps
  ['\u00bd price.pdf', '1_2 price.pdf'], // ½ → 1⁄2 (FRACTION SLASH)
  ['\u2105 Bob.pdf', 'c_o Bob.pdf'], // ℅ → c/o
  ['\uff12\uff10\uff12\uff14\uff0f\uff10\uff11.pdf', '2024_01.pdf'],
  ['a\u29f8b\u29f9c\u2216d.txt', 'a_b_c_d.txt'],
  ['\u30ce\u30fc\u30c8.txt', '\u30ce\u30fc\u30c8.txt'], // ノート: katakana NO is text
  // Paths
  ['C:\\fakepath\\photo.jpg', 'photo.jpg'],
  ['C:photo.jpg', 'C_photo.jpg'],
  ['photos/', 'photos'],
  ['/', INVALID],
  ['\\\\', INVALID],
  ['foo/..', INVALID],
  ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
  // Controls and blanks
  ['a\u0000.txt', 'a.txt'],
  ['\u0000', INVALID],
  ['a\u007f\u0085b', 'a b'],
  ['\u001b[31mred.txt', '[31mred.txt'],
  ['  my \t\u2003 report\u2028.pdf  ', 'my report .pdf'],
  ['\u2800', INVALID],
  ['\u3164', INVALID], // HANGUL FILLER
  ['a\ud800b.txt', 'ab.txt'], // lone surrogate
  ['\udfff', INVALID],
  // Kept on purpose: legal everywhere, and encoded or quoted in headers
  ["Invoice (2) - Q1 & Q2, 50% off! #1 [final] {v2} ~ 'x' `y` = $5 ^ @home+.pdf", "Invoice (2) - Q1 & Q2, 50% off! #1 [final] {v2} ~ 'x' `y` = $5 ^ @home+.pdf"],
]

function expectInvalid(input: unknown, reason?: string): SafePresignError {
  const result = safeSanitizeFilename(input as string)
  expect(result.ok).toBe(false)
  if (result.ok) throw new Error('unreachable')
  expect(result.error).toBeInstanceOf(SafePresignError)
  expect(result.error.code).toBe('INVALID_FILENAME')
  if (reason !== undefined) expect(result.error.details?.reason).toBe(reason)
  expect(() => sanitizeFilename(input as string)).toThrow(SafePresignError)
  return result.error
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8')
const LOOK_ALIKES = /[\u1735\u2041\u2044\u2215\u2216\u2571\u2572\u27CB\u27CD\u29F5\u29F8\u29F9\u31D3\u31D4\uFE68\uFF0F\uFF3C]/u
const FORBIDDEN = /[/\\<>:"|?*\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u2800]/u
const DEVICE = /^(con|prn|aux|nul|com\d|lpt\d|com[¹²³]|lpt[¹²³]|conin\$|conout\$|clock\$) *(\.|$)/i

/** Every invariant the sanitizer promises, checked independently of its implementation. */
function expectSafe(out: string, maxBytes = DEFAULT_MAX_FILENAME_BYTES): void {
  expect(out.length).toBeGreaterThan(0)
  expect(out).toBe(out.normalize('NFC'))
  expect(out).toBe(out.normalize('NFKC'))
  expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(out))).toBe(out)
  expect(out).not.toMatch(FORBIDDEN)
  expect(out).not.toMatch(LOOK_ALIKES)
  expect(out.replace(/ /g, '')).not.toMatch(/\p{White_Space}/u)
  expect(out).not.toMatch(/ {2}/)
  expect(out).not.toMatch(/^[. ]|[. ]$/)
  expect(out).not.toMatch(DEVICE)
  expect(utf8(out)).toBeLessThanOrEqual(maxBytes)
  expect(sanitizeFilename(out, { maxBytes })).toBe(out)
}

describe('sanitizeFilename: the corpus', () => {
  it('has a fixture copy identical to ../shared/corpus when both exist', () => {
    expect(existsSync(fixtureCorpus)).toBe(true)
    if (!existsSync(sharedCorpus)) return
    expect(JSON.parse(readFileSync(fixtureCorpus, 'utf8'))).toEqual(JSON.parse(readFileSync(sharedCorpus, 'utf8')))
  })

  it('has an expected output for every corpus entry, and no other', () => {
    expect(CORPUS_EXPECTED.map(([input]) => input)).toEqual(corpus.map((entry) => entry.input))
  })

  it.each(corpus.map((entry, i) => [i + 1, entry.why.slice(0, 60), entry] as const))('#%i %s', (_n, _why, entry) => {
    const expected = CORPUS_EXPECTED.find(([input]) => input === entry.input)?.[1]
    if (expected === INVALID) {
      expectInvalid(entry.input)
      return
    }
    const out = sanitizeFilename(entry.input)
    expect(out).toBe(expected)
    expectSafe(out)
  })

  it('measures the long entries as their reasons say', () => {
    expect(utf8('a'.repeat(300) + '.pdf')).toBe(304)
    expect(utf8(sanitizeFilename('a'.repeat(300) + '.pdf'))).toBe(255)
    expect(utf8('x/'.repeat(520) + 'y.png')).toBe(1045)
  })
})

describe('sanitizeFilename: more cases', () => {
  it.each(MORE_CASES.map(([input, expected]) => [JSON.stringify(input).slice(0, 50), input, expected] as const))(
    '%s',
    (_label, input, expected) => {
      if (expected === INVALID) {
        expectInvalid(input)
        return
      }
      const out = sanitizeFilename(input)
      expect(out).toBe(expected)
      expectSafe(out)
    },
  )
})

describe('sanitizeFilename: truncation', () => {
  it('keeps the extension and cuts the stem at a byte budget', () => {
    expect(sanitizeFilename('abcdefghij.pdf', { maxBytes: 10 })).toBe('abcdef.pdf')
  })

  it('never splits a grapheme cluster when a whole one fits', () => {
    // q + U+0301 has no precomposed form: 3 bytes, one cluster. 11 - 4 leaves 7 bytes: two clusters, not 2⅓.
    expect(sanitizeFilename('q\u0301'.repeat(10) + '.txt', { maxBytes: 11 })).toBe('q\u0301q\u0301.txt')
    // 👍🏽 is 8 bytes and one cluster: 12 - 4 leaves room for exactly one
    expect(sanitizeFilename('\u{1F44D}\u{1F3FD}\u{1F44D}\u{1F3FD}.png', { maxBytes: 12 })).toBe('\u{1F44D}\u{1F3FD}.png')
  })

  it('falls back to whole code points when one cluster is longer than the budget', () => {
    // `a` + 300 acute accents: NFKC composes `á` + 299 marks, a single 600-byte cluster
    const out = sanitizeFilename('a' + '\u0301'.repeat(300) + '.txt')
    expect(out).toBe('\u00e1' + '\u0301'.repeat(124) + '.txt')
    expectSafe(out)
  })

  it('does not keep an extension longer than 16 bytes, and reruns the trailing-dot rule', () => {
    // sanitize-filename's truncation brings back a trailing dot: cut at byte 255 lands on the `.`
    const out = sanitizeFilename('a'.repeat(254) + '.' + 'b'.repeat(20))
    expect(out).toBe('a'.repeat(254))
    expect(sanitizeFilename('a'.repeat(250) + '. . .' + 'b'.repeat(20))).toBe('a'.repeat(250))
  })

  it('cuts the whole name when the extension leaves no room for a stem', () => {
    expect(sanitizeFilename('report.pdf', { maxBytes: 4 })).toBe('repo')
    // a 3-byte cut of `ab.pdf` is `ab.`: the trailing-dot rule runs again
    expect(sanitizeFilename('ab.pdf', { maxBytes: 3 })).toBe('ab')
  })

  it('renames a device name that truncation creates', () => {
    expect(sanitizeFilename('consoles.txt', { maxBytes: 7 })).toBe('_co.txt')
    expect(sanitizeFilename('auxiliary', { maxBytes: 3 })).toBe('_au')
  })

  it('fails when not even the first character fits', () => {
    const one = safeSanitizeFilename('\u00e9t\u00e9.txt', { maxBytes: 1 })
    expect(one.ok).toBe(false)
    if (!one.ok) expect(one.error.code).toBe('INVALID_FILENAME')
    const tiny = safeSanitizeFilename('\u{1F600}.png', { maxBytes: 3 })
    expect(tiny.ok).toBe(false)
    if (!tiny.ok) expect(tiny.error.details).toMatchObject({ reason: 'MAX_BYTES_TOO_SMALL', maxBytes: 3 })
  })

  it('rejects a maxBytes that is not a positive integer, as INVALID_CONFIG', () => {
    for (const maxBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const result = safeSanitizeFilename('a.txt', { maxBytes })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error.code).toBe('INVALID_CONFIG')
      expect(() => sanitizeFilename('a.txt', { maxBytes })).toThrow(/`maxBytes` is/)
    }
  })
})

describe('sanitizeFilename: errors', () => {
  it('rejects non-strings with NOT_A_STRING', () => {
    for (const value of [undefined, null, 42, {}, ['a.txt'], Symbol('x')]) expectInvalid(value, 'NOT_A_STRING')
  })

  it('names the input JSON-quoted and the reason', () => {
    expect(expectInvalid('', 'EMPTY').message).toBe('Filename "" has nothing safe left: it is empty')
    expect(expectInvalid('..', 'NOTHING_SAFE_LEFT').message).toMatch(/^Filename "\.\." has nothing safe left: only dots/)
    expect(sanitizeFilename('a/b/')).toBe('b')
    expect(expectInvalid('///', 'ONLY_SEPARATORS').details).toEqual({ input: '"///"', reason: 'ONLY_SEPARATORS' })
  })

  it('escapes what could rewrite a log line, and cuts long input to 64 characters', () => {
    const error = expectInvalid('\u202e\u200b\r\n\u3000', 'NOTHING_SAFE_LEFT')
    expect(error.message).toContain('"\\u202e\\u200b\\r\\n\\u3000"')
    expect(error.message).toMatch(/^[\x20-\x7e]+$/)
    const long = expectInvalid('.'.repeat(1000), 'NOTHING_SAFE_LEFT')
    expect(long.details?.input).toBe(`"${'.'.repeat(64)}"... (1000 characters)`)
  })

  it('serialises to JSON with code and details', () => {
    expect(JSON.parse(JSON.stringify(expectInvalid('..')))).toMatchObject({
      name: 'SafePresignError',
      code: 'INVALID_FILENAME',
      details: { reason: 'NOTHING_SAFE_LEFT' },
    })
  })
})

describe('sanitizeFilename: the input cap, checked before any work', () => {
  it('is 4096 bytes (PATH_MAX), and every corpus entry is under it', () => {
    expect(MAX_FILENAME_INPUT_BYTES).toBe(4096)
    for (const entry of corpus) expect(utf8(entry.input)).toBeLessThan(MAX_FILENAME_INPUT_BYTES)
  })

  it('a 10 MB name → INVALID_FILENAME TOO_LONG, naming the cap, with a short message', () => {
    const error = expectInvalid('a'.repeat(10 * 1024 * 1024) + '.pdf', 'TOO_LONG')
    expect(error.message).toBe(
      `Filename "${'a'.repeat(64)}"... (over 4096 bytes) is refused: it is longer than 4096 UTF-8 bytes, the most read before sanitizing`,
    )
    expect(error.details).toEqual({ input: `"${'a'.repeat(64)}"... (over 4096 bytes)`, reason: 'TOO_LONG', limit: 4096 })
    expect(JSON.stringify(error).length).toBeLessThan(500)
  })

  it.each([
    { name: '4096 ASCII bytes', input: 'a'.repeat(4092) + '.pdf', ok: true },
    { name: '4097 ASCII bytes', input: 'a'.repeat(4093) + '.pdf', ok: false },
    { name: '2048 × "é" (4096 bytes)', input: '\u00e9'.repeat(2048), ok: true },
    // 2049 UTF-16 units, but 4098 bytes: the cap is in bytes.
    { name: '2049 × "é" (4098 bytes)', input: '\u00e9'.repeat(2049), ok: false },
    { name: '1024 × "😀" (4096 bytes)', input: '\u{1F600}'.repeat(1024), ok: true },
    { name: '1025 × "😀" (4100 bytes)', input: '\u{1F600}'.repeat(1025), ok: false },
    // The cap applies to the raw input, before the last path segment is taken.
    { name: 'a 5000-byte path whose last segment is short', input: 'x/'.repeat(2500) + 'y.png', ok: false },
  ])('$name → ok: $ok', ({ input, ok }) => {
    const result = safeSanitizeFilename(input)
    if (ok) {
      expect(result.ok).toBe(true)
      if (result.ok) expectSafe(result.value)
    } else expect(expectInvalid(input, 'TOO_LONG').details?.limit).toBe(MAX_FILENAME_INPUT_BYTES)
  })

  it('a long name is refused whatever maxBytes says', () => {
    const result = safeSanitizeFilename('b'.repeat(5000), { maxBytes: 10_000 })
    expect(result.ok === false && result.error.details?.reason).toBe('TOO_LONG')
  })
})

describe('filenameExtension', () => {
  it.each([
    ['shell.pHp5', 'php5'],
    ['shell.php.', 'php'],
    ['file.php.jpg', 'jpg'],
    ['nul.tar.gz', 'gz'],
    ['shell.php%00.jpg', 'jpg'],
    ['invoice\u202efdp.exe', 'exe'],
    ['LOGO.SVG', 'svg'],
    ['\uff52\uff45\uff50\uff4f\uff52\uff54\uff0e\uff30\uff24\uff26', 'pdf'],
    ['.htaccess', undefined],
    ['README', undefined],
    ['notes. final draft', undefined],
    ['archive.' + 'x'.repeat(17), undefined],
    ['..', undefined],
  ])('%j → %j', (input, expected) => {
    expect(filenameExtension(input)).toBe(expected)
  })
})

// Units that make hostile names likely: separators, dots, blanks, invisible and bidi characters,
// look-alikes, compatibility characters, combining marks, emoji parts, device names, lone surrogates.
const hostileUnit = fc.oneof(
  fc.constantFrom(
    '/', '\\', '.', '..', ' ', '\t', '\r\n', '\u0000', '\u007f', '\u0085', '\u00a0', '\u3000', '\u2800',
    '\u202e', '\u2066', '\u200b', '\u200d', '\u00ad', '\ufeff', '\u{E0041}', '\ufe0f', '\u3164',
    '\u2025', '\u2024', '\uff0e', '\uff0f', '\uff3c', '\u2215', '\u2044', '\u29f8', '\u00bd', '\u2105', '\ufe68',
    '<', '>', ':', '"', '|', '?', '*', ';', '%', '%2e', '%00', '=',
    'con', 'NUL', 'com1', 'LPT\u00b9', 'CONOUT$', 'clock$', '.txt', '.tar.gz',
    '\u0301', '\u0338', 'e', '\u1100', '\u1161', '\u11a8', '\u{1F600}', '\u{1F3FD}', '\u{1F1EB}', '\uffff',
    '\ud800', '\udc00', 'a', 'Z', '_',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
)
const hostileName = fc.string({ unit: hostileUnit, maxLength: 40 })
const longHostileName = fc.string({ unit: hostileUnit, minLength: 50, maxLength: 200 })

describe('sanitizeFilename: properties', () => {
  it('every result keeps every invariant, for arbitrary code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => {
        const result = safeSanitizeFilename(name)
        if (result.ok) expectSafe(result.value)
        else expect(result.error.code).toBe('INVALID_FILENAME')
      }),
      { numRuns: 1000 },
    )
  })

  it('every result keeps every invariant, for hostile names and any maxBytes', () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, longHostileName), fc.integer({ min: 1, max: 300 }), (name, maxBytes) => {
        const result = safeSanitizeFilename(name, { maxBytes })
        if (result.ok) expectSafe(result.value, maxBytes)
        else expect(result.error.code).toBe('INVALID_FILENAME')
      }),
      { numRuns: 3000 },
    )
  })

  it('grapheme strings: invariants hold and whole clusters survive truncation', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), fc.integer({ min: 4, max: 64 }), (name, maxBytes) => {
        const result = safeSanitizeFilename(name, { maxBytes })
        if (result.ok) expectSafe(result.value, maxBytes)
      }),
      { numRuns: 1000 },
    )
  })

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(hostileName, fc.string({ unit: 'binary' })), (name) => {
        const once = safeSanitizeFilename(name)
        if (once.ok) expect(sanitizeFilename(once.value)).toBe(once.value)
      }),
      { numRuns: 2000 },
    )
  })

  it('never turns a device name into a result Windows would treat as a device', () => {
    const device = fc.constantFrom('con', 'PRN', 'Aux', 'nul', 'COM0', 'com9', 'LPT1', 'lpt\u00b3', 'CONIN$', 'conout$', 'CLOCK$')
    const tail = fc.constantFrom('', '.txt', '.tar.gz', ' .txt', '.', '  ', '\u200b.pdf')
    fc.assert(
      fc.property(device, tail, (d, t) => {
        const out = sanitizeFilename(d + t)
        expect(out.startsWith('_')).toBe(true)
        expectSafe(out)
      }),
    )
  })

  it('returns a plain name unchanged', () => {
    const plain = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}( [A-Za-z0-9_-]{1,10}){0,3}$/), fc.stringMatching(/^[a-z0-9]{1,8}$/))
      .map(([stem, ext]) => `${stem}.${ext}`)
      .filter((name) => !DEVICE.test(name))
    fc.assert(
      fc.property(plain, (name) => {
        expect(sanitizeFilename(name)).toBe(name)
      }),
    )
  })

  it('keeps a short extension when it cuts a long name', () => {
    // No path separator in the stem: with one, only the last segment is the name (another rule).
    const stem = fc.string({ unit: 'grapheme-composite', minLength: 300, maxLength: 400 }).filter((s) => !/[/\\]/.test(s))
    const name = fc.tuple(stem, fc.stringMatching(/^[a-z0-9]{1,8}$/))
    fc.assert(
      fc.property(name, ([stem, ext]) => {
        const result = safeSanitizeFilename(`Z${stem}.${ext}`)
        if (result.ok) expect(result.value.endsWith(`.${ext}`)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('safeSanitizeFilename never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), fc.option(fc.integer({ min: -5, max: 300 }), { nil: undefined }), (value, maxBytes) => {
        const result = safeSanitizeFilename(value as string, { maxBytes })
        expect(typeof result.ok).toBe('boolean')
      }),
      { numRuns: 1000 },
    )
  })
})
