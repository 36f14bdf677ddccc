// ownerSegmentProblem: with keyPrefix ({ owner }) => `users/${owner}/`, the owner must be exactly one
// path segment, as S3 sees it, as a person reading the key sees it, and after any later NFKC or
// percent-decode. Refused, never encoded.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ownerSegmentProblem, prefixProblem } from '../../../src/key/key.js'

const REFUSED: readonly [owner: string, why: string][] = [
  ['alice/evil', 'U+002F, a path separator'],
  ['/alice', 'U+002F'],
  ['alice/', 'U+002F'],
  ['alice\\evil', 'U+005C, a path separator'],
  // Slash look-alikes
  ['alice\u2215bob', 'U+2215, a path separator or a look-alike'], // DIVISION SLASH
  ['alice\u2044bob', 'U+2044'], // FRACTION SLASH
  ['alice\uff0fbob', 'U+FF0F ("/" under NFKC)'], // FULLWIDTH SOLIDUS
  ['alice\u29f8bob', 'U+29F8'], // BIG SOLIDUS
  ['alice\u2571bob', 'U+2571'], // BOX DRAWINGS LIGHT DIAGONAL
  ['alice\u27cbbob', 'U+27CB'],
  ['alice\u1735bob', 'U+1735'],
  ['alice\u2041bob', 'U+2041'],
  ['alice\u31d3bob', 'U+31D3'],
  ['c\u2105o', 'U+2105 ("c/o" under NFKC)'], // CARE OF
  ['a\u2100c', 'U+2100 ("a/c" under NFKC)'],
  // Backslash look-alikes
  ['alice\u2216bob', 'U+2216'], // SET MINUS
  ['alice\u29f5bob', 'U+29F5'], // REVERSE SOLIDUS OPERATOR
  ['alice\u29f9bob', 'U+29F9'], // BIG REVERSE SOLIDUS
  ['alice\u2572bob', 'U+2572'],
  ['alice\u27cdbob', 'U+27CD'],
  ['alice\u31d4bob', 'U+31D4'],
  ['alice\ufe68bob', 'U+FE68 ("\\\\" under NFKC)'], // SMALL REVERSE SOLIDUS
  ['alice\uff3cbob', 'U+FF3C ("\\\\" under NFKC)'], // FULLWIDTH REVERSE SOLIDUS
  // Relative segments, as they are and after NFKC
  ['.', 'relative path segment'],
  ['..', 'relative path segment'],
  ['\uff0e\uff0e', 'NFKC-equivalent to ".."'],
  ['\u2025', 'NFKC-equivalent to ".."'], // TWO DOT LEADER
  ['\u2024', 'NFKC-equivalent to "."'],
  // Percent: a later decode could make a separator
  ['alice%2Fevil', 'U+0025'],
  ['alice%2fevil', 'U+0025'],
  ['%2e%2e', 'U+0025'],
  ['alice\uff05bob', 'U+FF05 ("%" under NFKC)'],
  ['alice\ufe6abob', 'U+FE6A ("%" under NFKC)'],
  // Bidi, zero-width and other invisible characters
  ['alice\u202e', 'U+202E, a control, bidi or invisible character'],
  ['alice\u202a', 'U+202A'],
  ['alice\u2066', 'U+2066'],
  ['alice\u2069', 'U+2069'],
  ['alice\u200e', 'U+200E'],
  ['alice\u200f', 'U+200F'],
  ['alice\u061c', 'U+061C'],
  ['alice\u200b', 'U+200B'],
  ['alice\u200c', 'U+200C'],
  ['alice\u200d', 'U+200D'],
  ['alice\u2060', 'U+2060'],
  ['\ufeffalice', 'U+FEFF'],
  ['ali\u00adce', 'U+00AD'], // SOFT HYPHEN
  ['alice\u{E0041}', 'U+E0041'], // a tag character
  ['alice\u3164', 'U+3164'], // HANGUL FILLER
  // Controls
  ['alice\r\nbob', 'U+000D'],
  ['alice\u0000', 'U+0000'],
  ['alice\u0085', 'U+0085'],
  ['alice\u2028', 'U+2028'],
  // The same name twice: NFD is refused (prefixProblem would refuse the prefix as not NFC)
  ['Zoe\u0308', 'NFC-normalized'],
  ['alice\ud800', 'lone UTF-16 surrogate'],
  ['a'.repeat(256), '256 UTF-8 bytes; one segment holds at most 255'],
  ['é'.repeat(128), '256 UTF-8 bytes'],
  ['', 'non-empty'],
]

describe('ownerSegmentProblem', () => {
  it.each(REFUSED)('%j → refused: %s', (owner, why) => {
    const problem = ownerSegmentProblem(owner)
    expect(problem).toBeDefined()
    expect(problem).toContain(why)
  })

  it.each(['alice', 'alice@example.com', 'user-123', 'Zoë', 'Zo\u00eb', '写真', 'ü', 'auth0|5f7c8e', 'a.b', '...', 'a..b', 'a b', 'google-oauth2|1234', 'a'.repeat(255), 'é'.repeat(127)])(
    '%j → one segment',
    (owner) => {
      expect(ownerSegmentProblem(owner)).toBeUndefined()
      expect(prefixProblem(`users/${owner}/`)).toBeUndefined()
    },
  )

  it('whatever it accepts is one segment, in every form a later step could see (fast-check)', () => {
    const piece = fc.constantFrom('a', 'Z', 'ë', '写', '.', '..', '/', '\\', '%', '2F', '\u2215', '\uff0f', '\uff0e', '\u2025', '\u2105', '\u202e', '\u200b', '\u0308', '\r', '\ufe68', ' ', '@', '|', '-')
    const owner = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(piece, { maxLength: 12 }).map((p) => p.join('')))
    fc.assert(
      fc.property(owner, (o) => {
        if (ownerSegmentProblem(o) !== undefined) return
        const prefix = `users/${o}/`
        expect(prefixProblem(prefix)).toBeUndefined()
        for (const form of [prefix, prefix.normalize('NFKC'), prefix.normalize('NFKD')]) {
          expect(form.split('/')).toHaveLength(3)
          expect(form).not.toMatch(/[\\%\u2215\u2216\u2044\uff0f\uff3c]/)
          expect(form.split('/')[1]).not.toMatch(/^\.\.?$/)
        }
        expect(o).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u)
      }),
      { numRuns: 3000 },
    )
  })
})
