// The published shape: the exports map resolves for ESM and CJS, every subpath loads, and a
// bundle carries a single copy of @aws-sdk/client-s3. Runs against dist/, which `npm run build`
// (and .ci/run, before `npm test`) produces.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { inCI } from '../../helpers/env.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const built = existsSync(`${root}dist/index.js`) && existsSync(`${root}dist/index.cjs`)
const SUBPATHS = ['safe-presign', 'safe-presign/stores/redis', 'safe-presign/stores/postgres', 'safe-presign/stores/dynamodb']

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } })
}

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))

  it('declares what the brief asks: MIT, no side effects, Node ≥ 18, ESM and CJS for every entry', () => {
    expect(pkg.license).toBe('MIT')
    expect(pkg.sideEffects).toBe(false)
    expect(pkg.engines.node).toBe('>=18')
    for (const sub of ['.', './stores/redis', './stores/postgres', './stores/dynamodb']) {
      expect(pkg.exports[sub].import.default).toMatch(/\.js$/)
      expect(pkg.exports[sub].import.types).toMatch(/\.d\.ts$/)
      expect(pkg.exports[sub].require.default).toMatch(/\.cjs$/)
      expect(pkg.exports[sub].require.types).toMatch(/\.d\.cts$/)
    }
    // The conformance suite registers vitest tests, and vitest is ESM-only: no require condition.
    expect(pkg.exports['./testing']).toEqual({ types: './dist/testing/index.d.ts', import: './dist/testing/index.js' })
  })

  it('keeps database clients optional peers, never dependencies', () => {
    for (const client of ['ioredis', 'pg', '@aws-sdk/lib-dynamodb', 'vitest']) {
      expect(pkg.dependencies[client]).toBeUndefined()
      expect(pkg.peerDependenciesMeta[client].optional).toBe(true)
    }
  })

  it('resolves exactly one @aws-sdk/client-s3 in the lock file', () => {
    const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8'))
    const copies = Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/@aws-sdk/client-s3'))
    expect(copies).toEqual(['node_modules/@aws-sdk/client-s3'])
    expect(lock.packages['node_modules/@aws-sdk/client-s3'].version).toBe(pkg.dependencies['@aws-sdk/client-s3'])
  })
})

describe.skipIf(!built && !inCI)('the built package', () => {
  if (!built) console.warn('[skip] the built package: run `npm run build` first')

  it.each(SUBPATHS)('%s loads with require() and import()', (spec) => {
    const viaRequire = node(['-e', `console.log(Object.keys(require(${JSON.stringify(spec)})).sort().join(','))`]).trim()
    const viaImport = node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).sort().join(','))`]).trim()
    expect(viaRequire.length).toBeGreaterThan(0)
    expect(viaImport).toBe(viaRequire)
  })

  it('fails bad config with a SafePresignError that the guard recognises across the ESM and CJS copies', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module'
       const esm = await import('safe-presign')
       const cjs = createRequire(process.cwd() + '/')('safe-presign')
       try { cjs.createSafeUpload({ client: { send() {}, config: { serviceId: 'S3', credentials: async () => ({}) } }, store: cjs.memoryStore(), bucket: 'bkt', allowedContentTypes: ['*/*'], maxSize: 1 }) } catch (e) {
         console.log(JSON.stringify({ guard: esm.isSafePresignError(e), code: e.code, json: e.toJSON() }))
       }`,
    ])
    const result = JSON.parse(out)
    expect(result.guard).toBe(true)
    expect(result.code).toBe('INVALID_CONFIG')
    expect(result.json.name).toBe('SafePresignError')
    expect(result.json.message).toContain('allowedContentTypes')
    expect(result.json.message).toContain('*/*')
  })

  it('safe-presign/testing is import-only (vitest cannot be required)', () => {
    const viaImport = node(['--input-type=module', '-e', `const m = await import('safe-presign/testing'); console.log(typeof m.testOwnershipStore)`]).trim()
    expect(viaImport).toBe('function')
    expect(() => node(['-e', `require('safe-presign/testing')`])).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED|No "exports" main defined/)
  })

  it('complete() sniffs with file-type (ESM-only) from the CJS build', () => {
    // A hand-rolled client: complete() only needs HeadObject and a ranged GetObject here.
    const script = `
      const { createSafeUpload, memoryStore } = require('safe-presign')
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1b1d60000000049454e44ae426082', 'hex')
      const html = Buffer.from('<!doctype html><script>alert(1)</script>')
      const objects = new Map()
      const client = {
        config: { serviceId: 'S3', credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'SECRET' }) },
        async send(command) {
          const body = objects.get(command.input.Key)
          switch (command.constructor.name) {
            case 'HeadObjectCommand': return { ContentLength: body.length, ContentType: 'image/png' }
            case 'GetObjectCommand': return { Body: { transformToByteArray: async () => new Uint8Array(body) } }
            case 'DeleteObjectCommand': objects.delete(command.input.Key); return {}
            default: throw new Error('unexpected ' + command.constructor.name)
          }
        },
      }
      const store = memoryStore()
      const upload = createSafeUpload({ client, bucket: 'bkt', store, allowedContentTypes: ['image/png'], maxSize: 1000 })
      const now = Date.now()
      const results = []
      ;(async () => {
        for (const [id, body] of [['00000000-0000-4000-8000-000000000001', png], ['00000000-0000-4000-8000-000000000002', html]]) {
          const key = 'uploads/' + id + '.png'
          objects.set(key, body)
          await store.create({ key, owner: 'o', state: 'pending', contentType: 'image/png', minSize: body.length, maxSize: body.length, createdAt: now, expiresAt: now + 60000, purgeAt: now + 120000 }, now)
          try { const r = await upload.complete({ key, owner: 'o' }); results.push(r.sniffedType) } catch (e) { results.push(e.code) }
        }
        console.log(JSON.stringify(results))
      })()`
    expect(JSON.parse(node(['-e', script]))).toEqual(['image/png', 'CONTENT_MISMATCH'])
  })
})
