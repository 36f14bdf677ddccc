import { defineConfig } from 'tsup'

// dist/ is emptied by the build script, not here: the two configs build concurrently.
const shared = {
  dts: true,
  sourcemap: true,
  treeshake: true,
  clean: false,
  target: 'node18',
  // Every dependency stays external: the caller's copy of @aws-sdk/client-s3 is the one we use.
  external: [/^@aws-sdk\//, /^@smithy\//, 'uuid', 'file-type', 'ioredis', 'pg', 'vitest'],
}

export default defineConfig([
  {
    ...shared,
    format: ['esm', 'cjs'],
    entry: {
      index: 'src/index.ts',
      'stores/redis': 'src/stores/redis.ts',
      'stores/postgres': 'src/stores/postgres.ts',
      'stores/dynamodb': 'src/stores/dynamodb.ts',
    },
  },
  {
    ...shared,
    // The conformance suite registers vitest tests, and vitest is ESM-only.
    format: ['esm'],
    entry: { 'testing/index': 'src/testing/index.ts' },
  },
  {
    ...shared,
    // The bin: ESM, no types; a top-level await in src/cli/bin.ts.
    dts: false,
    format: ['esm'],
    entry: { cli: 'src/cli/bin.ts' },
    banner: { js: '#!/usr/bin/env node' },
  },
])
