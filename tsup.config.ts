import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'stores/redis': 'src/stores/redis.ts',
    'stores/postgres': 'src/stores/postgres.ts',
    'stores/dynamodb': 'src/stores/dynamodb.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'node18',
  // Every dependency stays external: the caller's copy of @aws-sdk/client-s3 is the one we use.
  external: [/^@aws-sdk\//, /^@smithy\//, 'uuid', 'file-type', 'ioredis', 'pg', 'vitest'],
})
