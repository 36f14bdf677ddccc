// Flags: node:util parseArgs, strict. Every usage problem becomes a UsageError (exit 2) whose message
// names the flag, and library INVALID_CONFIG errors are mapped back to the flag that carried the value.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { isSafePresignError } from '../errors.js'

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export type Options = NonNullable<ParseArgsConfig['options']>

/** The flags every S3-facing command takes. */
export const S3_FLAGS = {
  bucket: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'path-style': { type: 'boolean' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

type Strict<T extends Options> = { args: string[]; options: T; strict: true; allowPositionals: false }

export function parse<T extends Options>(argv: string[], options: T): ReturnType<typeof parseArgs<Strict<T>>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    // parseArgs names the flag itself: "Unknown option '--frob'", "Option '--bucket <value>' argument missing".
    throw new UsageError((error as Error).message)
  }
}

export function required(values: Record<string, unknown>, flag: string): string {
  const value = values[flag]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`)
  return value
}

// The library's option names, as the flags that carry them.
const FLAG_FOR: Record<string, string> = {
  bucket: '--bucket',
  prefix: '--prefix',
  origin: '--origin',
  origins: '--origin',
  quarantinePrefix: '--quarantine-prefix',
  role: '--role',
  methods: '--method',
  maxAgeSeconds: '--max-age',
  timeoutMs: '--timeout-ms',
}

/** A library INVALID_CONFIG as a UsageError naming the flag; anything else is returned as is. */
export function asUsage(error: unknown): unknown {
  if (!isSafePresignError(error) || error.code !== 'INVALID_CONFIG') return error
  const option = String(error.details?.option ?? '')
  const flag = FLAG_FOR[option]
  return new UsageError(flag ? `${flag}: ${error.message}` : error.message)
}
