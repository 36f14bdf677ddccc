// What an app gets from `npm install safe-presign @aws-sdk/client-s3@latest`: the package as packed
// (npm pack of this checkout's dist/), in a fresh consumer project beside the newest client-s3 from the
// registry. The SDK packages are peers, so there must be exactly one client-s3 in the tree, the app's,
// and the package must sign with it. Needs the npm registry (~30 s); skips with the reason when it is
// unreachable, fails under CI=true.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { distStale } from '../../helpers/build-dist.js'
import { describeWithServer } from '../../helpers/env.js'
import { registryMissing } from '../../helpers/registry.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const npm = (args: string[], cwd: string) =>
  run('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } })


const stale = distStale(root)
const missing = stale ? `dist/ cannot be packed as it is (${stale}): run \`npm run build\`` : await registryMissing(root)

interface LsNode { version?: string; dependencies?: Record<string, LsNode> }
/** Every version of `name` in an `npm ls --all --json` tree, with the path that reaches it. */
function copiesOf(tree: LsNode, name: string, path = ''): { version: string; path: string }[] {
  return Object.entries(tree.dependencies ?? {}).flatMap(([dep, node]) => [
    ...(dep === name && node.version ? [{ version: node.version, path: `${path}/${dep}` }] : []),
    ...copiesOf(node, name, `${path}/${dep}`),
  ])
}

describeWithServer('the packed package beside the newest @aws-sdk/client-s3', missing, () => {
  let dir: string
  let newest: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'safe-presign-consumer-'))
    await npm(['pack', '--pack-destination', dir, '--silent'], root)
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!
    newest = (await npm(['view', '@aws-sdk/client-s3', 'version'], dir)).stdout.trim()
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }))
    // Peers are installed by npm (7+) when the app has none: s3-request-presigner comes with it.
    await npm(['install', '--ignore-scripts', '--no-package-lock', `@aws-sdk/client-s3@${newest}`, `./${tarball}`], dir)
  }, 180_000)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('has exactly one @aws-sdk/client-s3, the newest, which safe-presign shares with the app', async () => {
    const { stdout } = await npm(['ls', '@aws-sdk/client-s3', '--all', '--json'], dir)
    const copies = copiesOf(JSON.parse(stdout) as LsNode, '@aws-sdk/client-s3')
    expect(new Set(copies.map((c) => c.version))).toEqual(new Set([newest]))
    // The app's own entry and safe-presign's peer, deduped to it (s3-request-presigner does not depend on it).
    expect(copies.map((c) => c.path)).toContain('/@aws-sdk/client-s3')
    expect(copies.map((c) => c.path)).toContain('/safe-presign/@aws-sdk/client-s3')
  })

  it('signs a PUT grant with the app\'s client, from ESM and CommonJS', async () => {
    const body = `
      const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } })
      const uploads = createSafeUpload({ client, bucket: 'bkt', store: memoryStore(), allowedContentTypes: ['image/png'], maxSize: 1000 })
      const grant = await uploads.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
      console.log(JSON.stringify({ url: grant.url, headers: grant.headers }))`
    const esm = `import { S3Client } from '@aws-sdk/client-s3'\nimport { createSafeUpload, memoryStore } from 'safe-presign'\n${body}`
    const cjs = `const { S3Client } = require('@aws-sdk/client-s3')\nconst { createSafeUpload, memoryStore } = require('safe-presign')\n;(async () => {${body}})()`
    for (const args of [['--input-type=module', '-e', esm], ['-e', cjs]]) {
      const { stdout } = await run(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } })
      const { url, headers } = JSON.parse(stdout) as { url: string; headers: Record<string, string> }
      expect(url).toMatch(/^https:\/\/bkt\.s3\.eu-west-1\.amazonaws\.com\/uploads\/[0-9a-f-]{36}\.png\?/)
      expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-type')
      expect(headers['content-type']).toBe('image/png')
    }
  })
})
