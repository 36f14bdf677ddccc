// docs/testing.md's "Testing your own upload routes", as a user runs it: the package as packed (npm pack
// of this checkout's dist/), installed in fresh consumer projects under the repo's git-ignored
// .test-output/, and the page's code blocks written into them exactly as the markdown has them, so the
// doc is what is tested. One project has vitest 4 and runs the vitest example; the other has no vitest
// and runs the node:test example with `node --test`. Needs the npm registry (~30-60 s); skips with the
// reason when it is unreachable or dist/ is stale, fails under CI=true.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { distStale } from '../../helpers/build-dist.js'
import { describeWithServer } from '../../helpers/env.js'
import { registryMissing } from '../../helpers/registry.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
const quiet = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
const exec = (file: string, args: string[], cwd: string) =>
  run(file, args, { cwd, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...quiet } })
const npm = (args: string[], cwd: string) => exec('npm', args, cwd)


/** The code block of docs/testing.md whose fence says `file=<name>`, as the page has it. */
function docBlock(name: string): string {
  const page = readFileSync(join(root, 'docs/testing.md'), 'utf8')
  const blocks = [...page.matchAll(/^```\w+ file=(\S+)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === name)
  if (blocks.length !== 1) throw new Error(`docs/testing.md has ${blocks.length} code blocks marked file=${name}; expected exactly one`)
  return blocks[0]![2]!
}

// The consumers live inside this repository, so Node and Vite would find a package the consumer lacks in
// the repo's own node_modules (an ancestor). For the node:test project this hook refuses any ESM import
// that resolves outside the consumer, so a missing dependency, or an import of vitest, fails as it would
// in a real app. (Node 20's hooks see the ESM graph; the SDK's own CommonJS requires are not hooked.)
const CONFINE = `import { register } from 'node:module'
register('data:text/javascript,' + encodeURIComponent(\`
  const inside = new URL('./', ${JSON.stringify('PLACEHOLDER')}).href
  export async function resolve(specifier, context, next) {
    const found = await next(specifier, context)
    if (found.url.startsWith('file:') && !found.url.startsWith(inside)) throw new Error('resolved outside the consumer project: ' + specifier + ' -> ' + found.url)
    return found
  }\`))
`

const stale = distStale(root)
const missing = stale ? `dist/ cannot be packed as it is (${stale}): run \`npm run build\`` : await registryMissing(root)

describeWithServer('docs/testing.md examples in fresh consumers of the packed package', missing, () => {
  let base: string
  const withVitest = () => join(base, 'with-vitest')
  const withoutVitest = () => join(base, 'node-test')

  beforeAll(async () => {
    mkdirSync(join(root, '.test-output'), { recursive: true })
    base = mkdtempSync(join(root, '.test-output', 'testing-consumer-'))
    await npm(['pack', '--pack-destination', base, '--silent'], root)
    const tarball = join(base, readdirSync(base).find((f) => f.endsWith('.tgz'))!)
    const project = async (dir: string, packages: string[]) => {
      mkdirSync(dir)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }))
      await npm(['install', '--ignore-scripts', '--no-package-lock', tarball, '@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner', ...packages], dir)
    }
    await Promise.all([project(withVitest(), ['vitest@4']), project(withoutVitest(), [])])
    writeFileSync(join(withVitest(), 'uploads.test.ts'), docBlock('uploads.test.ts'))
    // Vitest looks for its config upward from the cwd and would take this repo's vitest.config.ts; a
    // project of its own (not nested in another) needs no config at all.
    writeFileSync(join(withVitest(), 'vitest.config.mjs'), 'export default {}\n')
    writeFileSync(join(withoutVitest(), 'uploads.test.mjs'), docBlock('uploads.test.mjs'))
    writeFileSync(join(withoutVitest(), 'confine.mjs'), CONFINE.replace('"PLACEHOLDER"', JSON.stringify(`file://${withoutVitest()}/`)))
  }, 300_000)

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true })
  })

  it('with vitest 4: `npx vitest run` passes the 6 tests of the vitest example', async () => {
    const dir = withVitest()
    const outcome = await exec('npx', ['vitest', 'run', '--reporter=json', '--outputFile=vitest.json'], dir).then(
      () => 0,
      (e: { code?: number; stdout?: string; stderr?: string }) => `exit ${e.code}\n${e.stdout}\n${e.stderr}`,
    )
    const report = JSON.parse(readFileSync(join(dir, 'vitest.json'), 'utf8')) as {
      numTotalTests: number
      numPassedTests: number
      testResults: { name: string; status: string; message: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[]
    }
    expect(report.testResults.filter((f) => f.status !== 'passed').map((f) => `${f.name}: ${f.message}`)).toEqual([])
    const results = report.testResults.flatMap((f) => f.assertionResults)
    expect(results.filter((r) => r.status !== 'passed').map((r) => `${r.title}: ${r.failureMessages.join('\n')}`)).toEqual([])
    expect(outcome).toBe(0)
    expect([report.numPassedTests, report.numTotalTests]).toEqual([6, 6])
    expect(results.map((r) => r.title)).toContain('S3 refuses a replayed grant: 412 PreconditionFailed (create-once, by the signed If-None-Match: *)')
  }, 120_000)

  it('without vitest: `node --test` passes the 2 tests of the node:test example, every import resolved inside the project', async () => {
    const dir = withoutVitest()
    expect(existsSync(join(dir, 'node_modules/vitest'))).toBe(false)
    expect(existsSync(join(dir, 'node_modules/safe-presign/package.json'))).toBe(true)
    const { stdout } = await exec(process.execPath, ['--import', './confine.mjs', '--test', '--test-reporter=tap', 'uploads.test.mjs'], dir).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`node --test failed:\n${e.stdout}\n${e.stderr}`)
    })
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(stdout)?.[1])
    expect({ tests: count('tests'), pass: count('pass'), fail: count('fail') }).toEqual({ tests: 2, pass: 2, fail: 0 })
  }, 120_000)
})
