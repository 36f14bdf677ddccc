// Why the npm registry cannot be used for a package test, or undefined: the registry npm is configured
// with must answer /-/ping within 5 s (the package tests install from it).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export async function registryMissing(cwd: string): Promise<string | undefined> {
  const configured = await run('npm', ['config', 'get', 'registry'], { cwd, encoding: 'utf8' }).catch(() => ({ stdout: 'https://registry.npmjs.org/' }))
  const registry = configured.stdout.trim().replace(/\/?$/, '/')
  try {
    const res = await fetch(`${registry}-/ping`, { signal: AbortSignal.timeout(5000) })
    await res.body?.cancel()
    return res.ok ? undefined : `the npm registry (${registry}) answered ${res.status} to /-/ping`
  } catch (e) {
    return `the npm registry (${registry}) is unreachable: ${(e as Error).message}`
  }
}
