#!/usr/bin/env bash
# The unit suite and the S3 integration suite on the newest @aws-sdk/client-s3 and s3-request-presigner,
# the two SDK peers (package.json pins the oldest supported release for every other run). Installs them
# over the pinned ones with --no-save, runs, and puts the lockfile's versions back with `npm ci`, pass or
# fail. Called by .ci/run; on a developer's machine: `bash scripts/sdk-newest.sh` (needs the network).
set -euo pipefail
cd "$(dirname "$0")/.."
version() { node -p "require('./node_modules/$1/package.json').version"; }
pinned=$(version @aws-sdk/client-s3)
restore() { echo "restoring the lockfile's SDK ($pinned)"; npm ci --no-audit --no-fund >/dev/null; }
trap restore EXIT
npm install --no-save --no-audit --no-fund @aws-sdk/client-s3@latest @aws-sdk/s3-request-presigner@latest >/dev/null
echo "client-s3 $pinned (pinned) → $(version @aws-sdk/client-s3) (newest); s3-request-presigner → $(version @aws-sdk/s3-request-presigner)"
node node_modules/vitest/vitest.mjs run test/unit test/integration/s3 "$@"
