import { existsSync, readFileSync } from 'node:fs'
import { validateHeaderValue } from 'node:http'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SafePresignError } from '../../../src/errors.js'
import { contentDisposition } from '../../../src/key/content-disposition.js'
import { safeSanitizeFilename, sanitizeFilename } from '../../../src/key/filename.js'

// Same corpus as filename.test.ts: ../shared beside the repo, else the committed copy.
const repoRoot = new URL('../../../', import.meta.url)
const sharedCorpus = new URL('../shared/corpus/filenames.json', repoRoot)
const fixtureCorpus = new URL('test/fixtures/filenames.json', repoRoot)
const corpus: Array<{ input: string; why: string }> = JSON.parse(
  readFileSync(existsSync(sharedCorpus) ? sharedCorpus : fixtureCorpus, 'utf8'),
)

const INVALID = Symbol('INVALID_FILENAME')
const both = (fallback: string, encoded: string): string => `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
const same = (name: string): string => both(name, name)

// Written by hand from the rules: fallback = printable ASCII except `"\;%`, else `_` per code point;
// filename* = UTF-8 bytes, attr-char kept, everything else %XX.
const CORPUS_EXPECTED: ReadonlyArray<readonly [input: string, expected: string | typeof INVALID]> = [
  ['../../../etc/passwd', same('passwd')],
  ['....//....//etc/passwd', same('passwd')],
  ['%252e%252e%252fetc%252fpasswd', both('_252e_252e_252fetc_252fpasswd', '%25252e%25252e%25252fetc%25252fpasswd')],
  ['/etc/passwd', same('passwd')],
  ['\\\\attacker.example\\share\\payload.exe', same('payload.exe')],
  ['a/./b/../../c.png', same('c.png')],
  ['\u2025/\u2025/etc/passwd', same('passwd')],
  ['..\u2215..\u2215etc\u2215passwd', same('_.._etc_passwd')],
  ['caf\u00e9.txt', both('caf_.txt', 'caf%C3%A9.txt')],
  ['p\u0430yp\u0430l-invoice.pdf', both('p_yp_l-invoice.pdf', 'p%D0%B0yp%D0%B0l-invoice.pdf')],
  ['invoice\u202efdp.exe', same('invoicefdp.exe')],
  ['inv\u200boice.pdf', same('invoice.pdf')],
  ['shell.php%00.jpg', both('shell.php_00.jpg', 'shell.php%2500.jpg')],
  ['file.php.jpg', same('file.php.jpg')],
  ['shell.pHp5', same('shell.pHp5')],
  ['shell.php.', same('shell.php')],
  ['logo.svg', same('logo.svg')],
  ['.htaccess', same('htaccess')],
  ['nul.tar.gz', same('_nul.tar.gz')],
  ['CONOUT$', same('_CONOUT$')],
  ['', INVALID],
  ['\u3000\u00a0', INVALID],
  ['..', INVALID],
  ['a'.repeat(300) + '.pdf', same('a'.repeat(251) + '.pdf')],
  ['\u{1F600}'.repeat(70) + '.png', both('_'.repeat(62) + '.png', '%F0%9F%98%80'.repeat(62) + '.png')],
  ['x/'.repeat(520) + 'y.png', same('y.png')],
  [
    'a.txt\r\nSet-Cookie: session=attacker',
    both('a.txt Set-Cookie_ session=attacker', 'a.txt%20Set-Cookie_%20session%3Dattacker'),
  ],
  ['report.pdf; filename=evil.exe', both('report.pdf_ filename=evil.exe', 'report.pdf%3B%20filename%3Devil.exe')],
  ['100%25 real%22.pdf', both('100_25 real_22.pdf', '100%2525%20real%2522.pdf')],
  ['$(reboot).png', both('$(reboot).png', '$%28reboot%29.png')],
]

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
// RFC 7230 quoted-string: qdtext is HTAB, SP, visible ASCII except `"` and `\\`, or obs-text; no CR/LF.
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"'
const PARAM = new RegExp(`^;[ \\t]*(${TOKEN})=(${QUOTED}|${TOKEN})[ \\t]*`)

/** A strict RFC 6266 parser: disposition-type, then `; name=token-or-quoted-string` pairs, nothing else. */
function parse(header: string): { type: string; params: Array<[name: string, value: string]> } {
  const type = new RegExp(`^${TOKEN}`).exec(header)?.[0]
  if (type === undefined) throw new Error(`no disposition-type in ${JSON.stringify(header)}`)
  const params: Array<[string, string]> = []
  let rest = header.slice(type.length)
  while (rest !== '') {
    const match = PARAM.exec(rest)
    if (!match) throw new Error(`unparseable at ${JSON.stringify(rest)}`)
    const [whole, name = '', raw = ''] = match
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
    params.push([name.toLowerCase(), value])
    rest = rest.slice(whole.length)
  }
  return { type, params }
}

/** RFC 5987 ext-value with the UTF-8 charset, decoded exactly once. */
function decodeExtValue(value: string): string {
  const match = /^UTF-8''((?:%[0-9A-F]{2}|[A-Za-z0-9!#$&+\-.^_`|~])*)$/.exec(value)
  if (!match) throw new Error(`not a UTF-8 ext-value: ${value}`)
  return decodeURIComponent(match[1] ?? '')
}

/** Everything a recipient relies on, checked for one filename. */
function expectWellFormed(input: string, header: string): void {
  expect(() => validateHeaderValue('Content-Disposition', header)).not.toThrow()
  expect(header).toMatch(/^[\x20-\x7e]+$/)
  const { type, params } = parse(header)
  expect(type).toBe('attachment')
  expect(params.map(([name]) => name)).toEqual(['filename', 'filename*'])
  const [[, fallback = ''] = [], [, extValue = ''] = []] = params
  const name = sanitizeFilename(input)
  expect(decodeExtValue(extValue)).toBe(name)
  expect(fallback).toMatch(/^[^"\\;%]*$/)
  expect(Array.from(fallback)).toHaveLength(Array.from(name).length)
}

describe('the test parser', () => {
  it('catches what a naive header builder would emit', () => {
    // Unquoted `;`: a second filename parameter appears
    expect(parse('attachment; filename=report.pdf; filename=evil.exe').params.map(([n]) => n)).toEqual(['filename', 'filename'])
    // Unescaped quote, CRLF, raw non-ASCII: not a header at all
    expect(() => parse('attachment; filename="a"b.pdf"')).toThrow(/unparseable/)
    expect(() => parse('attachment; filename="a.txt\r\nSet-Cookie: x=1"')).toThrow(/unparseable/)
    expect(() => decodeExtValue("UTF-8''caf\u00e9.txt")).toThrow(/ext-value/)
  })
})

describe('contentDisposition: the corpus', () => {
  it('has an expected header for every corpus entry, and no other', () => {
    expect(CORPUS_EXPECTED.map(([input]) => input)).toEqual(corpus.map((entry) => entry.input))
  })

  it.each(corpus.map((entry, i) => [i + 1, entry.why.slice(0, 60), entry.input] as const))('#%i %s', (_n, _why, input) => {
    const expected = CORPUS_EXPECTED.find(([candidate]) => candidate === input)?.[1]
    if (expected === INVALID) {
      expect(() => contentDisposition(input)).toThrow(expect.objectContaining({ code: 'INVALID_FILENAME' }))
      return
    }
    const header = contentDisposition(input)
    expect(header).toBe(expected)
    expectWellFormed(input, header)
  })

  it('sends a literal %XX as %25XX, so decoding once gives back the literal', () => {
    const header = contentDisposition('100%25 real%22.pdf')
    const extValue = parse(header).params.find(([name]) => name === 'filename*')?.[1] ?? ''
    expect(decodeExtValue(extValue)).toBe('100%25 real%22.pdf')
    expect(header).not.toContain('real"')
  })

  it('keeps an injected `; filename=` inside the parameter it came in', () => {
    const { params } = parse(contentDisposition('report.pdf; filename=evil.exe'))
    expect(params).toHaveLength(2)
    expect(params.filter(([name]) => name === 'filename')).toEqual([['filename', 'report.pdf_ filename=evil.exe']])
  })
})

describe('contentDisposition: format', () => {
  it('matches the RFC 6266 §5 example, with an ASCII fallback', () => {
    // RFC: attachment; filename="EURO rates"; filename*=utf-8''%e2%82%ac%20rates (charset and hex are case-insensitive)
    expect(contentDisposition('\u20ac rates')).toBe(`attachment; filename="_ rates"; filename*=UTF-8''%E2%82%AC%20rates`)
  })

  it('is the bare type when there is no filename', () => {
    expect(contentDisposition(undefined)).toBe('attachment')
    expect(contentDisposition(undefined, { type: 'inline' })).toBe('inline')
  })

  it('uses inline only when asked', () => {
    expect(contentDisposition('a.png', { type: 'inline' })).toBe(`inline; filename="a.png"; filename*=UTF-8''a.png`)
    expect(contentDisposition('a.png', {})).toMatch(/^attachment; /)
  })

  it('percent-encodes everything outside attr-char, and keeps attr-char as is', () => {
    // (`|` is attr-char too, but the sanitizer already replaced it with `_`)
    expect(contentDisposition("a!#$&+-.^_`~z.txt")).toBe(same("a!#$&+-.^_`~z.txt"))
    expect(contentDisposition("it's (1) * =,@[]{}.txt")).toBe(
      both("it's (1) _ =,@[]{}.txt", 'it%27s%20%281%29%20_%20%3D%2C%40%5B%5D%7B%7D.txt'),
    )
  })

  it('rejects an unknown type as INVALID_CONFIG', () => {
    const call = (): string => contentDisposition('a.txt', { type: 'attachment; filename=x' as 'inline' })
    expect(call).toThrow(SafePresignError)
    expect(call).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }))
  })

  it('throws INVALID_FILENAME for a name with nothing safe left, and for a non-string', () => {
    expect(() => contentDisposition('\u202e\u200b')).toThrow(expect.objectContaining({ code: 'INVALID_FILENAME' }))
    expect(() => contentDisposition(null as unknown as string)).toThrow(expect.objectContaining({ code: 'INVALID_FILENAME' }))
  })
})

describe('contentDisposition: properties', () => {
  const names = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({
      unit: fc.constantFrom('"', '\\', ';', '%', '%22', '\r', '\n', "'", '=', 'filename*=', ' ', '\u00e9', '\u{1F600}', 'a', '.'),
      maxLength: 40,
    }),
  )

  it('is one valid header with exactly one filename and one filename*, which decodes to the sanitized name', () => {
    fc.assert(
      fc.property(names, (input) => {
        if (!safeSanitizeFilename(input).ok) {
          expect(() => contentDisposition(input)).toThrow(SafePresignError)
          return
        }
        expectWellFormed(input, contentDisposition(input))
      }),
      { numRuns: 2000 },
    )
  })
})
