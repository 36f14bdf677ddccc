// A wildcard never covers a JavaScript MIME type. The table is the WHATWG MIME Sniffing standard's
// list of JavaScript MIME type essences (§4.6), copied here by hand rather than imported from the
// source, so a type dropped from the source fails this test.
import { describe, expect, it } from 'vitest'
import { matchContentType, parseAllowlist, typeSatisfies } from '../../../src/policy/content-type.js'

const JAVASCRIPT_MIME_TYPES = [
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
]

const WILDCARDS = parseAllowlist(['text/*', 'application/*'])

describe('the 16 JavaScript MIME type essences of WHATWG MIME Sniffing', () => {
  it('the table has 16 distinct entries', () => {
    expect(new Set(JAVASCRIPT_MIME_TYPES).size).toBe(16)
  })

  it('the wildcards do cover ordinary types under them (so the refusals below mean something)', () => {
    expect(matchContentType(WILDCARDS, 'text/plain')).toBe('text/plain')
    expect(matchContentType(WILDCARDS, 'application/pdf', true)).toBe('application/pdf')
    expect(typeSatisfies('text/*', 'text/plain')).toBe(true)
    expect(typeSatisfies('application/*', 'application/pdf')).toBe(true)
  })

  it.each(JAVASCRIPT_MIME_TYPES)('%s: no wildcard covers it, on the PUT path, the POST path or after the upload', (type) => {
    const wildcard = `${type.split('/')[0]}/*`
    for (const declared of [type, type.toUpperCase(), ` ${type} `]) {
      expect(matchContentType(WILDCARDS, declared)).toBeUndefined() // PUT: concrete types only
      expect(matchContentType(WILDCARDS, declared, true)).toBeUndefined() // POST: wildcards allowed too
      expect(matchContentType(parseAllowlist([wildcard]), declared, true)).toBeUndefined()
    }
    // complete(): what S3 stored under a POST `type/*` grant, with or without parameters.
    for (const stored of [type, type.toUpperCase(), `${type}; charset=utf-8`]) {
      expect(typeSatisfies(wildcard, stored)).toBe(false)
    }
  })

  it.each(JAVASCRIPT_MIME_TYPES)('%s: listed explicitly, it is allowed, beside the wildcards or alone', (type) => {
    for (const entries of [['text/*', 'application/*', type], [type]]) {
      const list = parseAllowlist(entries)
      expect(matchContentType(list, type)).toBe(type)
      expect(matchContentType(list, type.toUpperCase(), true)).toBe(type)
    }
    expect(typeSatisfies(type, type)).toBe(true)
    expect(typeSatisfies(type, `${type}; charset=utf-8`)).toBe(true)
  })
})
