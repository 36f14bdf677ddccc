// The code → status map against docs/protocol.md's table (parsed here, so the spec and the code cannot
// drift apart), every code through the handler, and non-library errors → 500 INTERNAL, never their message.
import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode, SafePresignError } from '../../../src/errors.js'
import { ERROR_STATUS } from '../../../src/handler/index.js'
import { memoryStore } from '../../../src/stores/memory.js'
import { handlerWorld, refusal } from './setup.js'

const GRANT = { contentType: 'image/png', size: 10 }

function specTable(): Map<string, number> {
  const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('## Errors'))
  const table = new Map<string, number>()
  for (const line of section.split('\n')) {
    const row = /^\| (\d{3}) \| (.+) \|$/.exec(line)
    if (!row) continue
    for (const [, code] of row[2]!.matchAll(/`([A-Z0-9_]+)`/g)) {
      expect(table.has(code!), `${code} is listed twice`).toBe(false)
      table.set(code!, Number(row[1]))
    }
  }
  return table
}

describe('ERROR_STATUS', () => {
  it("is docs/protocol.md's table, every code exactly once", () => {
    const spec = specTable()
    expect(Object.fromEntries([...spec].sort())).toEqual(Object.fromEntries(Object.entries(ERROR_STATUS).sort()))
    expect(new Set(spec.keys())).toEqual(new Set(Object.values(ErrorCode)))
  })

  it.each(Object.values(ErrorCode))('%s thrown by a builder or a hook is answered with its status and toJSON()', async (code) => {
    const error = new SafePresignError(code, `refused: ${code}`, { details: { option: 'x' }, observed: { size: 51 } })
    const w = handlerWorld({ handler: { authenticate: () => Promise.reject(error) } })
    const res = await w.call('POST', '/uploads/grant', { json: GRANT })
    expect(res.status).toBe(ERROR_STATUS[code])
    expect(res.body).toEqual(error.toJSON())
    expect(JSON.stringify(res.body)).not.toContain('51')
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })
})

describe('errors that are not the library’s', () => {
  it('a store failure that is not the library’s → 500 INTERNAL without its message; onError gets the error', async () => {
    const onError = vi.fn()
    const failing = memoryStore()
    const boom = new Error('connect ECONNREFUSED postgres://admin:hunter2@db:5432')
    failing.get = async () => {
      throw boom
    }
    const w = handlerWorld({ upload: { store: failing }, download: { store: failing }, handler: { onError } })
    const res = await w.call('GET', '/uploads/download?key=uploads/00000000-0000-4000-8000-000000000001.png', { user: 'alice' })
    // storeCall wraps store failures as STORE_UNAVAILABLE: still a 5xx, still logged.
    expect(res.status).toBe(503)
    expect(res.body.code).toBe('STORE_UNAVAILABLE')
    expect(JSON.stringify(res.body)).not.toContain('hunter2')
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it.each([
    ['an Error', () => new Error('SELECT * FROM users WHERE password = hunter2')],
    ['a string', () => 'hunter2'],
    ['a TypeError', () => new TypeError('Cannot read properties of undefined (reading hunter2)')],
  ])('%s thrown by authenticate → 500 INTERNAL, generic message, onError sees the original', async (_, make) => {
    const thrown = make()
    const onError = vi.fn()
    const w = handlerWorld({ handler: { authenticate: () => { throw thrown }, onError } })
    const res = await w.call('POST', '/uploads/grant', { json: GRANT })
    expect(res).toMatchObject(refusal(500, 'INTERNAL'))
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|stack|at /)
    expect(res.body).toEqual({ name: 'SafePresignError', code: 'INTERNAL', message: expect.any(String) })
    expect(onError).toHaveBeenCalledWith(thrown, expect.any(Request))
  })

  it('an authenticate() that returns a non-string is a server bug: 500 INTERNAL', async () => {
    const onError = vi.fn()
    const w = handlerWorld({ handler: { authenticate: () => 42 as never, onError } })
    expect(await w.call('POST', '/uploads/grant', { json: GRANT })).toMatchObject(refusal(500, 'INTERNAL'))
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(TypeError)
  })

  it('a throwing onError does not change the answer', async () => {
    const w = handlerWorld({ handler: { authenticate: () => { throw new Error('x') }, onError: () => { throw new Error('logger down') } } })
    expect(await w.call('POST', '/uploads/grant', { json: GRANT })).toMatchObject(refusal(500, 'INTERNAL'))
  })

  it('does not call onError for a 4xx', async () => {
    const onError = vi.fn()
    const w = handlerWorld({ handler: { onError } })
    expect((await w.call('POST', '/uploads/grant', { json: GRANT })).status).toBe(401)
    expect(onError).not.toHaveBeenCalled()
  })

  it('a SafePresignError from another copy whose code this one does not know → 500 INTERNAL', async () => {
    const foreign = Object.assign(new Error('from the future'), { name: 'SafePresignError', code: 'SOMETHING_NEW', toJSON: () => ({ leaked: true }) })
    const w = handlerWorld({ handler: { authenticate: () => { throw foreign } } })
    const res = await w.call('POST', '/uploads/grant', { json: GRANT })
    expect(res).toMatchObject(refusal(500, 'INTERNAL'))
    expect(res.body.leaked).toBeUndefined()
  })
})

describe('the handler is web-standard', () => {
  it('imports no Node built-in and uses no Buffer', () => {
    const dir = new URL('../../../src/handler/', import.meta.url)
    for (const file of ['index.ts', 'routes.ts', 'body.ts', 'fields.ts', 'grant.ts', 'respond.ts', 'status.ts', 'protocol.ts']) {
      const source = readFileSync(new URL(file, dir), 'utf8')
      expect({ file, node: /from ['"](node:|fs|path|crypto|http|stream)/.test(source), buffer: /\bBuffer\b/.test(source) }).toEqual({ file, node: false, buffer: false })
    }
  })
})
