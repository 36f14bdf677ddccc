// How messages echo values: quote() for ids, describe() for anything. Both are bounded (a huge value
// costs a few steps and a few hundred characters) and escape what could rewrite a log line.
import fc from 'fast-check'
import { describe as group, expect, it } from 'vitest'
import { checkSubject, describe, escapeUnsafe, invalid, quote } from '../../../src/_internal/validate.js'
import { MAX_SUBJECT_LENGTH } from '../../../src/limits.js'
import { thrown } from './fixtures.js'

// Every character the review and the brief name, and how it must appear.
const ESCAPED: readonly [char: string, shown: string][] = [
  ['\u0000', '\\u0000'], ['\u0007', '\\u0007'], ['\r', '\\r'], ['\n', '\\n'], ['\t', '\\t'], ['\u001b', '\\u001b'],
  ['\u007f', '\\u007f'], ['\u0085', '\\u0085'], ['\u009b', '\\u009b'], ['\u2028', '\\u2028'], ['\u2029', '\\u2029'],
  ['\u202a', '\\u202a'], ['\u202b', '\\u202b'], ['\u202c', '\\u202c'], ['\u202d', '\\u202d'], ['\u202e', '\\u202e'],
  ['\u2066', '\\u2066'], ['\u2067', '\\u2067'], ['\u2068', '\\u2068'], ['\u2069', '\\u2069'],
  ['\u200e', '\\u200e'], ['\u200f', '\\u200f'], ['\u061c', '\\u061c'],
  ['\u200b', '\\u200b'], ['\u200c', '\\u200c'], ['\u200d', '\\u200d'], ['\u2060', '\\u2060'], ['\ufeff', '\\ufeff'],
  ['\u{E0041}', '\\udb40\\udc41'], // a tag character: hidden text
  ['\ud800', '\\ud800'], // a lone surrogate
]

group('quote()', () => {
  it.each(ESCAPED)('%j is shown as %s, in quote() and describe()', (char, shown) => {
    expect(quote(`a${char}b`)).toBe(`"a${shown}b"`)
    expect(describe(`a${char}b`)).toBe(`"a${shown}b"`)
    expect(describe({ [`k${char}`]: [`v${char}`] })).toBe(`{"k${shown}":["v${shown}"]}`)
    expect(escapeUnsafe(`a${char}b`)).not.toContain(char)
  })

  it('keeps printable text as it is, and JSON-escapes quotes and backslashes (so the escapes are unambiguous)', () => {
    expect(quote('Zoë 写真 👍🏽 alice@example.com')).toBe('"Zoë 写真 👍🏽 alice@example.com"')
    expect(quote('say "hi" \\u202e')).toBe('"say \\"hi\\" \\\\u202e"')
    expect(JSON.parse(quote('a\u202eb\r\n'))).toBe('a\u202eb\r\n')
  })

  it('cuts at 160 code points, never inside a surrogate pair, and marks the cut', () => {
    expect(quote('k'.repeat(160))).toBe(`"${'k'.repeat(160)}"`)
    expect(quote('k'.repeat(161))).toBe(`"${'k'.repeat(160)}…"`)
    expect(quote('😀'.repeat(200))).toBe(`"${'😀'.repeat(160)}…"`)
    expect(quote('x'.repeat(10 * 1024 * 1024)).length).toBe(163)
  })

  it('anything but a string is described', () => {
    expect(quote(42)).toBe('42')
    expect(quote(undefined)).toBe('undefined')
    expect(quote(['a', 'b'])).toBe('["a","b"]')
  })

  it('for any string: a JSON string, under 2,000 characters, and free of every escaped character (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (value) => {
        const shown = quote(value)
        expect(shown.length).toBeLessThan(2000)
        expect(typeof JSON.parse(shown)).toBe('string')
        expect(shown).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u)
        if (Array.from(value).length <= 160) expect(JSON.parse(shown)).toBe(value)
      }),
      { numRuns: 500 },
    )
  })
})

group('describe()', () => {
  it.each([
    [null, 'null'],
    [true, 'true'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [-0, '-0'],
    [1e309, 'Infinity'],
    [10n, '10n'],
    [Symbol('x'), 'a symbol'],
    [() => 1, 'a function'],
    [[], '[]'],
    [{}, '{}'],
    [new Date(0), '"1970-01-01T00:00:00.000Z"'],
    [new Date(Number.NaN), 'an invalid Date'],
    [Buffer.alloc(3), 'a Buffer of 3 bytes'],
    [{ a: 1, b: ['x', 2] }, '{"a":1,"b":["x",2]}'],
    [['a', 'b', 'c', 'd', 'e', 'f', 'g'], '["a","b","c","d","e",… 7 items]'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, '{"a":1,"b":2,"c":3,"d":4,"e":5,…}'],
    [{ a: { b: { c: 1 } } }, '{"a":{"b":{…}}}'],
    [[[[1]]], '[[[… 1 items]]]'],
  ] as const)('%s → %s', (value, shown) => {
    expect(describe(value)).toBe(shown)
  })

  it('a 1 MB array, a deep object and a cycle: a few hundred characters at most', () => {
    const huge = new Array(1024 * 1024).fill('x'.repeat(100))
    let deep: Record<string, unknown> = {}
    const root = deep
    for (let i = 0; i < 10_000; i++) deep = deep.next = { pad: 'y'.repeat(1000) }
    const cycle: Record<string, unknown> = { name: 'loop' }
    cycle.self = cycle
    for (const value of [huge, root, cycle, { wide: huge }]) expect(describe(value).length).toBeLessThanOrEqual(201)
    expect(describe(huge)).toContain(`… ${1024 * 1024} items`)
  })

  it('never throws: a throwing getter or Proxy trap is "an object"', () => {
    const getter = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('no') } })
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('no') } })
    expect(describe(getter)).toBe('an object')
    expect(describe(proxy)).toBe('an object')
  })
})

group('invalid(): message and details stay short', () => {
  it('for a 1 MB array and a deep object given as an option', () => {
    const deep = JSON.parse('{"a":'.repeat(1000) + '1' + '}'.repeat(1000)) as unknown
    for (const value of [new Array(1024 * 1024).fill(7), deep]) {
      const error = thrown(() => invalid('INVALID_REQUEST', 'owner', value, 'it must be a non-empty string'))
      expect(error.message.length).toBeLessThan(300)
      expect(JSON.stringify(error).length).toBeLessThan(600)
      expect(error.message).toMatch(/^`owner` is .+; it must be a non-empty string$/)
    }
  })
})

group('checkSubject()', () => {
  it.each([
    ['alice\r\nbob', 'U+000D'],
    ['alice\nX-Forwarded-For: 1', 'U+000A'],
    ['\u0000alice', 'U+0000'],
    ['alice\u007f', 'U+007F'],
    ['alice\u0085', 'U+0085'],
    ['alice\u009b', 'U+009B'],
    ['alice\u2028', 'U+2028'],
    ['alice\u2029', 'U+2029'],
    ['alice\tbob', 'U+0009'],
  ])('%j → INVALID_REQUEST naming %s', (value, code) => {
    const error = thrown(() => checkSubject('owner', value))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.details?.option).toBe('owner')
    expect(error.message).toContain(`it contains ${code}, a control character`)
    expect(error.message).not.toMatch(/[\r\n\u0085\u2028]/)
  })

  it(`accepts ${MAX_SUBJECT_LENGTH} UTF-16 units; one more → INVALID_REQUEST naming the limit, before anything else is read`, () => {
    expect(checkSubject('requester', 'r'.repeat(MAX_SUBJECT_LENGTH))).toHaveLength(MAX_SUBJECT_LENGTH)
    for (const value of ['r'.repeat(MAX_SUBJECT_LENGTH + 1), '\n'.repeat(10 * 1024 * 1024)]) {
      const error = thrown(() => checkSubject('requester', value))
      expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { option: 'requester', limit: MAX_SUBJECT_LENGTH } })
      expect(error.message).toContain(`UTF-16 code units long; the maximum is ${MAX_SUBJECT_LENGTH}`)
      expect(JSON.stringify(error).length).toBeLessThan(1000)
    }
  })

  it.each(['alice', 'alice@example.com', 'user-123', 'Zoë', 'auth0|5f7c8ec7c33c6c004bbafe82', 'a\u202eb'])('accepts %j (bidi is escaped when echoed, not refused here)', (value) => {
    expect(checkSubject('owner', value)).toBe(value)
  })
})
