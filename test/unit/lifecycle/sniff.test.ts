// sniff(): do the first bytes of an object match the type it was uploaded as? Real headers, built
// from their specifications in ./bytes.ts.
import { describe, expect, it } from 'vitest'
import { sniff } from '../../../src/lifecycle/sniff.js'
import { SNIFF_BYTES } from '../../../src/limits.js'
import { gif, jpeg, pdf, png, zip } from './bytes.js'

const text = (s: string) => new TextEncoder().encode(s)
const HTML = '<!DOCTYPE html><html><body><script>fetch("/steal?c="+document.cookie)</script></body></html>'
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'

describe('magic bytes match the declared type', () => {
  it.each([
    { name: 'PNG', bytes: png(), declared: 'image/png', sniffed: 'image/png' },
    { name: 'PNG of 5000 bytes, first 4100 sniffed', bytes: png(5000).subarray(0, SNIFF_BYTES), declared: 'image/png', sniffed: 'image/png' },
    { name: 'JPEG', bytes: jpeg(), declared: 'image/jpeg', sniffed: 'image/jpeg' },
    { name: 'JPEG declared with the image/jpg alias', bytes: jpeg(), declared: 'image/jpg', sniffed: 'image/jpeg' },
    { name: 'GIF', bytes: gif(), declared: 'image/gif', sniffed: 'image/gif' },
    { name: 'PDF', bytes: pdf(), declared: 'application/pdf', sniffed: 'application/pdf' },
    { name: 'ZIP', bytes: zip(), declared: 'application/zip', sniffed: 'application/zip' },
    { name: 'PNG declared with parameters and upper case', bytes: png(), declared: 'Image/PNG; charset=binary', sniffed: 'image/png' },
  ])('$name declared $declared → ok, $sniffed', async ({ bytes, declared, sniffed }) => {
    expect(await sniff(bytes, declared, 'reject')).toEqual({ ok: true, sniffedType: sniffed })
  })
})

describe('bytes that are something else', () => {
  it.each([
    { name: 'PNG as JPEG', bytes: png(), declared: 'image/jpeg', sniffed: 'image/png', why: 'the bytes are image/png' },
    { name: 'JPEG as PNG', bytes: jpeg(), declared: 'image/png', sniffed: 'image/jpeg', why: 'the bytes are image/jpeg' },
    { name: 'GIF as PNG', bytes: gif(), declared: 'image/png', sniffed: 'image/gif', why: 'the bytes are image/gif' },
    { name: 'ZIP as PDF', bytes: zip(), declared: 'application/pdf', sniffed: 'application/zip', why: 'the bytes are application/zip' },
    { name: 'PDF as text/plain', bytes: pdf(), declared: 'text/plain', sniffed: 'application/pdf', why: 'the bytes are application/pdf' },
    { name: 'ZIP as application/octet-stream', bytes: zip(), declared: 'application/octet-stream', sniffed: 'application/zip', why: 'application/zip' },
    { name: 'plain text as PNG', bytes: text('just some text, no signature'), declared: 'image/png', sniffed: 'unknown', why: 'do not carry the image/png signature' },
    { name: 'nothing as PNG', bytes: new Uint8Array(), declared: 'image/png', sniffed: 'unknown', why: 'image/png signature' },
    { name: 'a PNG signature cut short', bytes: png().subarray(0, 4), declared: 'image/png', sniffed: 'unknown', why: 'image/png signature' },
  ])('$name → refused as $sniffed', async ({ bytes, declared, sniffed, why }) => {
    const verdict = await sniff(bytes, declared, 'flag')
    expect(verdict).toMatchObject({ ok: false, sniffedType: sniffed })
    expect(verdict.ok === false && verdict.why).toContain(why)
  })
})

describe('markup a browser would run is refused under any other type', () => {
  it.each([
    { name: 'HTML', body: HTML, declared: 'image/png' },
    { name: 'HTML with a BOM and leading blank lines', body: '\uFEFF\n\n  <html><script>alert(1)</script>', declared: 'image/png' },
    { name: 'lower-case doctype', body: '<!doctype html><p>x', declared: 'image/jpeg' },
    { name: 'SVG', body: SVG, declared: 'image/png' },
    { name: 'SVG behind an XML declaration', body: `<?xml version="1.0"?>\n${SVG}`, declared: 'image/gif' },
    { name: 'an HTML comment first', body: '<!-- hi --><script>alert(1)</script>', declared: 'application/pdf' },
    { name: 'a script tag', body: '<script>alert(1)</script>', declared: 'text/plain' },
    { name: 'an iframe', body: '<iframe src="https://evil.example">', declared: 'text/csv' },
    { name: 'HTML declared as JSON', body: '<html>{}</html>', declared: 'application/json' },
  ])('$name declared $declared → refused as text/html', async ({ body, declared }) => {
    for (const unsniffable of ['reject', 'flag'] as const) {
      expect(await sniff(text(body), declared, unsniffable)).toEqual({ ok: false, sniffedType: 'text/html', why: 'the bytes are markup a browser would render' })
    }
  })

  it.each([
    { body: HTML, declared: 'text/html' },
    { body: SVG, declared: 'image/svg+xml' },
    { body: '<?xml version="1.0"?><a/>', declared: 'application/xml' },
  ])('markup declared as its own type $declared passes as text (the allowlist decided)', async ({ body, declared }) => {
    expect(await sniff(text(body), declared, 'reject')).toEqual({ ok: true, sniffedType: declared })
  })
})

describe('text types: valid UTF-8 without NUL', () => {
  const emoji = '🌍'
  // A text of exactly SNIFF_BYTES bytes whose last character is cut in the middle.
  const cut = (() => {
    const full = text(`${'a'.repeat(SNIFF_BYTES - 2)}${emoji}`)
    return full.subarray(0, SNIFF_BYTES)
  })()

  it.each([
    { name: 'ASCII', bytes: text('name,total\nalice,3\n'), declared: 'text/csv' },
    { name: 'UTF-8 with accents and an astral character', bytes: text(`Grüße aus Köln ${emoji}\n`), declared: 'text/plain' },
    { name: 'UTF-8 with a BOM', bytes: text('\uFEFFhello'), declared: 'text/plain' },
    { name: 'JSON', bytes: text('{"a":[1,2,3]}'), declared: 'application/json' },
    { name: 'a vendor +json type', bytes: text('{"type":"FeatureCollection"}'), declared: 'application/geo+json' },
    { name: 'markdown', bytes: text('# Title\n\n*emphasis*'), declared: 'text/markdown' },
    { name: 'a multi-byte character cut by the sniff window', bytes: cut, declared: 'text/plain' },
    { name: 'a 2-byte character cut after its lead byte', bytes: text('café').subarray(0, 4), declared: 'text/plain' },
    { name: 'a 3-byte character cut after 2 bytes', bytes: text('a€').subarray(0, 3), declared: 'text/plain' },
    { name: 'a 4-byte character cut after 3 bytes', bytes: text(`a${emoji}`).subarray(0, 4), declared: 'text/plain' },
  ])('$name as $declared → ok', async ({ bytes, declared }) => {
    expect(await sniff(bytes, declared, 'reject')).toEqual({ ok: true, sniffedType: declared })
  })

  it.each([
    { name: 'a NUL byte', bytes: text('hello\u0000world'), declared: 'text/plain' },
    { name: 'invalid UTF-8 (0xC3 0x28)', bytes: Uint8Array.from([0x61, 0xc3, 0x28, 0x62]), declared: 'text/plain' },
    { name: 'Latin-1, not UTF-8', bytes: Buffer.from('caf\xe9,cr\xe8me\n', 'latin1'), declared: 'text/csv' },
    { name: 'random binary', bytes: Uint8Array.from([0x00, 0x9f, 0x92, 0x96, 0xff, 0xfe, 0x00, 0x01]), declared: 'application/json' },
    { name: 'text ending in 0xFF 0xFE 0xFD (never part of a character)', bytes: Uint8Array.from([...text('hello'), 0xff, 0xfe, 0xfd]), declared: 'text/plain' },
    { name: 'text ending in a lone continuation byte', bytes: Uint8Array.from([...text('hello'), 0x80]), declared: 'text/plain' },
    { name: 'an overlong encoding of "/" at the end', bytes: Uint8Array.from([...text('a'), 0xc0, 0xaf]), declared: 'text/plain' },
    { name: 'a lone continuation byte in the middle', bytes: Uint8Array.from([...text('abc'), 0x80, ...text('def')]), declared: 'text/plain' },
  ])('$name as $declared → refused as octet-stream', async ({ bytes, declared }) => {
    expect(await sniff(bytes, declared, 'flag')).toEqual({ ok: false, sniffedType: 'application/octet-stream', why: 'the bytes are not UTF-8 text' })
  })
})

describe('a declared type nothing can verify', () => {
  const opaque = Uint8Array.from([0x13, 0x37, 0x00, 0x42, 0x99, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07])

  it("unsniffable: 'reject' → refused, naming the type and the option", async () => {
    const verdict = await sniff(opaque, 'application/x-custom-format', 'reject')
    expect(verdict).toEqual({
      ok: false,
      sniffedType: 'unknown',
      why: 'application/x-custom-format cannot be verified by sniffing, and `unsniffable` is "reject"',
    })
  })

  it("unsniffable: 'flag' → let through, marked unverified", async () => {
    expect(await sniff(opaque, 'application/x-custom-format', 'flag')).toEqual({ ok: true, sniffedType: 'unknown', unverified: true })
  })

  it("'flag' never lets through what could be verified and failed", async () => {
    expect((await sniff(text('not a png'), 'image/png', 'flag')).ok).toBe(false)
    expect((await sniff(text(HTML), 'application/x-custom-format', 'flag')).ok).toBe(false)
    expect((await sniff(jpeg(), 'application/x-custom-format', 'flag')).ok).toBe(false)
  })
})
