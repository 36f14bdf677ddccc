// Tests that load the package as users do (test/unit/package, the CLI's bin) run against dist/. A fresh
// clone has none, and a dist/ older than src/ tests yesterday's code: build it once, before any test
// file runs, so no test builds (and empties dist/) while another one reads it.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Files the build writes that tests load; if one is missing, dist/ is incomplete. */
const OUTPUTS = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/cli.js', 'dist/stores/redis.js', 'dist/handler/index.js', 'dist/node.js', 'dist/client/index.js', 'dist/react/index.js', 'dist/uppy/index.js']
const INPUTS = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json']

function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs)
}

/** Why dist/ must be rebuilt, or undefined when it is complete and newer than every input. */
export function distStale(root: string): string | undefined {
  const missing = OUTPUTS.find((file) => !existsSync(join(root, file)))
  if (missing) return `${missing} is missing`
  const built = Math.min(...OUTPUTS.map((file) => statSync(join(root, file)).mtimeMs))
  const changed = INPUTS.find((input) => existsSync(join(root, input)) && newest(join(root, input)) > built)
  return changed === undefined ? undefined : `${changed} changed since the last build`
}

/** Runs `npm run build` when dist/ is stale; throws with the build's output when it fails. */
export function ensureDist(root: string): void {
  const why = distStale(root)
  if (why === undefined) return
  const t0 = performance.now()
  const out = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 180_000 })
  if (out.status !== 0) throw new Error(`npm run build failed (${why}; exit ${out.status}):\n${(out.stderr || out.stdout).slice(-3000)}`)
  console.log(`[build] dist/ rebuilt in ${Math.round(performance.now() - t0)} ms (${why})`)
}
