// The round trip (./steps.mjs) as a module worker for workerd: GET / runs it and answers its JSON.
// Bundled by test/runtimes/workerd.ts with esbuild as wrangler would (the `workerd`, `worker` and
// `browser` conditions), with the S3 settings as text bindings, and run with or without the nodejs_compat
// flag (NODEJS_COMPAT says which). It also reports what of Node the isolate offers (the Buffer and process
// globals, whether `node:buffer` loads), so the test can check the round trip had none of it to lean on.
import { S3Client } from '@aws-sdk/client-s3'
import * as lib from '../../dist/index.js'
import { roundTrip } from './steps.mjs'

export default {
  async fetch(_request, env) {
    // Static imports: in a worker, the package is loaded with the bundle, before the first request.
    const result = await roundTrip({ env, load: async () => ({ lib, S3Client }) })
    // A specifier esbuild cannot see, so the bundle holds no `node:` import and workerd alone decides.
    const nodeBuffer = await import(['node', 'buffer'].join(':')).then(() => 'loaded', (e) => `${e?.name}: ${e?.message}`)
    const globals = { nodejsCompat: env.NODEJS_COMPAT === 'true', Buffer: typeof globalThis.Buffer, process: typeof globalThis.process, nodeBuffer }
    return Response.json({ runtime: 'workerd', version: env.WORKERD_VERSION, globals, ...result })
  },
}
