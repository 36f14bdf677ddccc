// How integration tests decide to run, skip or fail when their server is missing.
// On a developer's machine a missing server skips the suite and prints why;
// with CI=true nothing may skip, so the same situation fails loudly.
import { createServer } from 'node:net'
import { existsSync } from 'node:fs'
import { describe } from 'vitest'

export const inCI = process.env.CI === 'true' || process.env.CI === '1'

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/** The first of `paths` that exists, or undefined. */
export function findBinary(...paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p))
}

/**
 * `describe` when `missing` is undefined; otherwise a skipped suite that prints why,
 * or, under CI=true, a suite that fails with the reason.
 */
export function describeWithServer(name: string, missing: string | undefined, fn: () => void): void {
  if (missing === undefined) {
    describe(name, fn)
    return
  }
  if (inCI) {
    describe(name, () => {
      throw new Error(`${name}: ${missing} (CI=true: integration tests may not skip)`)
    })
    return
  }
  console.warn(`[skip] ${name}: ${missing}`)
  describe.skip(name, fn)
}
