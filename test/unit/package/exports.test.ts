// The published shape: the exports map resolves for ESM and CJS, every subpath loads, and a
// bundle carries a single copy of @aws-sdk/client-s3. Runs against dist/, which `npm run build`
// (and .ci/run, before `npm test`) produces.
import { builtinModules } from 'node:module'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { inCI } from '../../helpers/env.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const built = existsSync(`${root}dist/index.js`) && existsSync(`${root}dist/index.cjs`)
const SUBPATHS = ['safe-presign', 'safe-presign/stores/redis', 'safe-presign/stores/postgres', 'safe-presign/stores/dynamodb', 'safe-presign/handler', 'safe-presign/node']

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } })
}

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))

  it('declares what the brief asks: MIT, no side effects, Node ≥ 20, ESM and CJS for every entry', () => {
    expect(pkg.license).toBe('MIT')
    expect(pkg.sideEffects).toBe(false)
    // The SDK (client-s3 3.1164, s3-request-presigner), file-type 21 and vitest 4 all need Node 20.
    expect(pkg.engines.node).toBe('>=20')
    for (const sub of ['.', './stores/redis', './stores/postgres', './stores/dynamodb', './handler', './node']) {
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

  it('takes the S3 client and presigner from the caller: peers with a range, never dependencies', () => {
    for (const sdk of ['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner']) {
      expect(pkg.dependencies[sdk]).toBeUndefined()
      expect(pkg.peerDependencies[sdk]).toBe('^3.1164.0')
      // Required peers: npm and pnpm install them when the app has none.
      expect(pkg.peerDependenciesMeta[sdk]).toBeUndefined()
      expect(pkg.devDependencies[sdk]).toBeDefined()
    }
    // An internal SDK shim is no API to depend on; src/sign/format-url.ts replaces it.
    expect(pkg.dependencies['@aws-sdk/util-format-url']).toBeUndefined()
  })

  it('maps every subpath in typesVersions, so TypeScript with moduleResolution node10 finds its types (attw node10)', () => {
    const subpaths = Object.keys(pkg.exports).filter((sub) => sub !== '.' && sub !== './package.json')
    expect(Object.keys(pkg.typesVersions['*']).sort()).toEqual(subpaths.map((sub) => sub.slice(2)).sort())
    for (const sub of subpaths) {
      const entry = pkg.exports[sub]
      // node10 is CommonJS resolution: the require types where there is a CJS build, else the only ones.
      expect(pkg.typesVersions['*'][sub.slice(2)], sub).toEqual([entry.require?.types ?? entry.types])
      expect(existsSync(`${root}${pkg.typesVersions['*'][sub.slice(2)][0]}`) || !built, sub).toBe(true)
    }
  })

  it('resolves exactly one @aws-sdk/client-s3 in the lock file', () => {
    const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8'))
    const copies = Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/@aws-sdk/client-s3'))
    expect(copies).toEqual(['node_modules/@aws-sdk/client-s3'])
    expect(lock.packages['node_modules/@aws-sdk/client-s3'].version).toBe(pkg.devDependencies['@aws-sdk/client-s3'])
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

  it('safe-presign/handler and safe-presign/node export what their docs name, ESM and CJS alike', () => {
    for (const [spec, names] of [
      ['safe-presign/handler', 'DEFAULT_BASE_PATH,DEFAULT_MAX_BODY_BYTES,ERROR_STATUS,createUploadHandler'],
      ['safe-presign/node', 'toNodeListener'],
    ]) {
      expect(node(['-e', `console.log(Object.keys(require(${JSON.stringify(spec)})).sort().join(','))`]).trim()).toBe(names)
      expect(node(['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).sort().join(','))`]).trim()).toBe(names)
    }
  })

  it('the built handler imports no Node built-in, uses no Buffer of its own, and runs with no process', () => {
    // The handler's ESM file and every chunk it imports, transitively.
    const seen = new Set<string>()
    const builtins: string[] = []
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const code = readFileSync(file, 'utf8')
      for (const [, spec] of code.matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        if (spec!.startsWith('.')) visit(fileURLToPath(new URL(spec!, `file://${file}`)))
        else builtins.push(spec!)
      }
    }
    visit(`${root}dist/handler/index.js`)
    expect(seen.size).toBeGreaterThan(1)
    expect(builtins).toEqual([])
    // Node's own Request and Response use Buffer internally, so it cannot be deleted here; the handler's own code must not name it.
    expect(readFileSync(`${root}dist/handler/index.js`, 'utf8')).not.toMatch(/\bBuffer\b/)
    const out = node([
      '--input-type=module',
      '-e',
      `delete globalThis.process
       const { createUploadHandler } = await import('safe-presign/handler')
       const uploads = { config: { checksum: false }, presign: async (r) => ({ key: 'uploads/k.png', method: 'PUT', url: 'https://s3/x', headers: { 'content-type': r.contentType }, expiresAt: 1 }) }
       const handler = createUploadHandler({ uploads, authenticate: () => 'alice' })
       const ok = await handler(new Request('http://app/uploads/grant', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"contentType":"image/png","size":1}' }))
       const big = await handler(new Request('http://app/uploads/grant', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(70000) }))
       console.log(JSON.stringify([ok.status, await ok.json(), big.status, (await big.json()).code]))`,
    ])
    expect(JSON.parse(out)).toEqual([200, { kind: 'put', key: 'uploads/k.png', url: 'https://s3/x', headers: { 'content-type': 'image/png' }, expiresAt: 1, checksum: null }, 413, 'BODY_TOO_LARGE'])
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

/** The file and every dist file it imports, transitively, following relative static and dynamic imports. */
function loaded(entry: string): Map<string, string> {
  const files = new Map<string, string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    const text = readFileSync(file, 'utf8')
    files.set(file, text)
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) visit(join(dirname(file), spec!))
  }
  visit(`${root}${entry}`)
  return files
}

// The root entry and safe-presign/handler are runtime-neutral (Workers without nodejs_compat, Deno, Bun):
// web APIs only. A Node built-in or a Buffer in any file they load breaks an edge build.
describe.skipIf(!built && !inCI)('the runtime-neutral entries', () => {
  // Bare imports are the caller's packages (kept external by tsup.config.ts), never a built-in, with or without
  // the node: prefix (tsup strips it unless removeNodeProtocol is false: `crypto` here is node:crypto).
  const PACKAGES = /^(?:@aws-sdk\/|@smithy\/|file-type$)/

  it.each(['dist/index.js', 'dist/handler/index.js'])('%s and every chunk it loads import no Node built-in and name no Buffer', (entry) => {
    const files = loaded(entry)
    // The root entry shares chunks with the subpaths: the walk must have reached them.
    expect(files.size).toBeGreaterThan(1)
    for (const [file, text] of files) {
      expect(text, file).not.toMatch(/from\s*["']node:|require\(\s*["']node:|import\(\s*["']node:/)
      expect(text, file).not.toMatch(/\bBuffer\b/)
      for (const [, spec] of text.matchAll(/(?:from|import\s*\(|require\s*\()\s*["']([^."'][^"']*)["']/g)) expect(spec, file).toMatch(PACKAGES)
      // Side-effect imports (`import 'net'`) too.
      for (const [, spec] of text.matchAll(/^import\s*["']([^."'][^"']*)["']/gm)) expect(spec, file).toMatch(PACKAGES)
    }
  })
})

// safe-presign/client and safe-presign/react run in browsers: ESM only, no Node built-in, no Buffer,
// no require(), no AWS SDK, in any file they load.
describe.skipIf(!built && !inCI)('the browser subpaths', () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'))


  it('are ESM-only exports with types, and react is an optional peer', () => {
    expect(pkg.exports['./client']).toEqual({ types: './dist/client/index.d.ts', import: './dist/client/index.js' })
    expect(pkg.exports['./react']).toEqual({ types: './dist/react/index.d.ts', import: './dist/react/index.js' })
    expect(pkg.peerDependencies.react).toBeDefined()
    expect(pkg.peerDependenciesMeta.react.optional).toBe(true)
    expect(pkg.dependencies.react).toBeUndefined()
  })

  it.each(['dist/client/index.js', 'dist/react/index.js'])('%s and what it imports hold no require(, no node: import, no Buffer, no AWS SDK', (entry) => {
    const files = loaded(entry)
    expect(files.size).toBeGreaterThan(0)
    for (const [file, text] of files) {
      expect(text, file).not.toMatch(/\brequire\(/)
      expect(text, file).not.toMatch(/["']node:/)
      expect(text, file).not.toMatch(/\bBuffer\b/)
      expect(text, file).not.toMatch(/@aws-sdk|@smithy/)
      // Bare imports: react (the caller's, for safe-presign/react) and nothing else.
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*["']([^."'][^"']*)["']/g)) expect(spec, file).toBe('react')
    }
  })

  it('safe-presign/client loads with import() and exports uploadFile, uploadFiles and the error guard; require() is refused', () => {
    const names = node(['--input-type=module', '-e', `const m = await import('safe-presign/client'); console.log(Object.keys(m).sort().join(','))`]).trim().split(',')
    expect(names).toEqual(expect.arrayContaining(['uploadFile', 'uploadFiles', 'SafePresignClientError', 'isSafePresignClientError', 'ClientErrorCode']))
    expect(() => node(['-e', `require('safe-presign/client')`])).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED|No "exports" main defined/)
    const hook = node(['--input-type=module', '-e', `const m = await import('safe-presign/react'); console.log(typeof m.useUpload)`]).trim()
    expect(hook).toBe('function')
  })
})


describe.skipIf(!existsSync(`${root}dist/stores/redis.js`) && !inCI)('the stores keep the node: prefix', () => {
  it.each(['stores/redis', 'stores/postgres', 'stores/dynamodb'].flatMap((f) => [`dist/${f}.js`, `dist/${f}.cjs`]))('%s imports Node built-ins with the node: prefix', (file) => {
    const specs = [...readFileSync(`${root}${file}`, 'utf8').matchAll(/(?:from|import\s*\(|require\s*\()\s*["']([^."'][^"']*)["']/g)].map((m) => m[1]!)
    expect(specs).toContain('node:crypto')
    expect(specs.filter((s) => builtinModules.includes(s))).toEqual([])
  })
})
