import { defineConfig } from 'tsup'

// dist/ is emptied by the build script, not here: the two configs build concurrently.
const shared = {
  // Keep `node:` in dist (tsup strips it by default): the stores must import node:crypto, never a bare crypto.
  removeNodeProtocol: false,
  dts: true,
  // Maps without sourcesContent: stack traces (node --enable-source-maps) still name src/*.ts and its
  // lines, and the tarball does not carry the source a second time (it was 66% of the unpacked size).
  sourcemap: true,
  esbuildOptions(options: { sourcesContent?: boolean }) {
    options.sourcesContent = false
  },
  treeshake: true,
  clean: false,
  target: 'node20',
  // Every dependency stays external: the caller's copy of @aws-sdk/client-s3 is the one we use.
  external: [/^@aws-sdk\//, /^@smithy\//, 'file-type', 'fast-xml-parser', 'ioredis', 'pg', 'vitest'],
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
      'handler/index': 'src/handler/index.ts',
      node: 'src/adapters/node.ts',
      // The strict test S3: Node only (node:http), ESM and CommonJS, so jest and node:test suites can load it too.
      'testing/s3': 'src/testing/s3/index.ts',
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
    // Browser code (safe-presign/client, safe-presign/react, safe-presign/uppy): ESM only, no Node built-ins; react is the
    // caller's. Shared code lands in one chunk, so both entries use one copy of the client.
    format: ['esm'],
    platform: 'browser',
    target: 'es2020',
    external: ['react'],
    entry: { 'client/index': 'src/client/index.ts', 'react/index': 'src/react/index.ts', 'uppy/index': 'src/uppy/index.ts' },
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
