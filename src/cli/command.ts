// What every command is: a name, a help text, and run(), which returns the exit code.
// 0: all is well; 1: a high or critical finding; 2: bad usage (the message names the flag);
// 3: the command could not run (network, permissions, an S3 error).
import type { Io } from './output.js'

export interface Command {
  name: string
  summary: string
  help: string
  run(argv: string[], io: Io): Promise<number>
}

export const EXIT = { ok: 0, finding: 1, usage: 2, error: 3 } as const

export const S3_HELP = `  --bucket B            the bucket (required)
  --endpoint URL        an S3-compatible endpoint (default: AWS for --region)
  --region R            the region (default: the SDK's, from AWS_REGION or the profile)
  --path-style          path-style URLs (https://host/bucket/key), for most S3-compatible stores
  --profile NAME        the credentials profile for the client (default: the SDK's default chain)
  --json                machine-readable output (see docs/cli.md)
  -h, --help            this help`
