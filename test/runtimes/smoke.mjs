// The built package's round trip (./steps.mjs), run as a script in Node, Bun or Deno:
// import dist/ → PUT grant → upload → complete() → download → POST grant → form upload → complete().
//
//   S3_ENDPOINT=… AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… S3_BUCKET=<existing bucket> <runtime> test/runtimes/smoke.mjs
//   (Deno: deno run --allow-env --allow-read --allow-net=<host:port> --allow-sys=osRelease test/runtimes/smoke.mjs)
//
// Prints ONE JSON line on stdout, `{ runtime, version, ok, fatal?, steps: [{ name, ok, ms, ... }] }`, and
// exits 0 when every step did what a user expects, 1 otherwise. test/integration/runtimes/runtimes.test.ts
// runs it and checks each step's facts.
import { roundTrip } from './steps.mjs'

const runtime = globalThis.Deno ? 'deno' : globalThis.Bun ? 'bun' : 'node'
const version = globalThis.Deno?.version.deno ?? globalThis.Bun?.version ?? globalThis.process?.versions.node

const result = await roundTrip({
  env: globalThis.process?.env ?? {},
  // Loaded as a user's code would: the package's built entry and the SDK from node_modules.
  load: async () => ({
    lib: await import(new URL('../../dist/index.js', import.meta.url).href),
    S3Client: (await import('@aws-sdk/client-s3')).S3Client,
  }),
})
console.log(JSON.stringify({ runtime, version, ...result }))
// Deno and Bun have process too (node compat); exitCode lets stdout drain first.
globalThis.process.exitCode = result.ok ? 0 : 1
