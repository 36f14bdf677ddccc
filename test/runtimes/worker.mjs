// The round trip (./steps.mjs) as a module worker for workerd: GET / runs it and answers its JSON.
// Bundled by test/runtimes/workerd.ts with esbuild as wrangler would (the `workerd`, `worker` and
// `browser` conditions), with the S3 settings as text bindings, and run with the nodejs_compat flag.
import { S3Client } from '@aws-sdk/client-s3'
import * as lib from '../../dist/index.js'
import { roundTrip } from './steps.mjs'

export default {
  async fetch(_request, env) {
    // Static imports: in a worker, the package is loaded with the bundle, before the first request.
    const result = await roundTrip({ env, load: async () => ({ lib, S3Client }) })
    return Response.json({ runtime: 'workerd', version: env.WORKERD_VERSION, ...result })
  },
}
