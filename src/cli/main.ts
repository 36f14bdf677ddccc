// The `safe-presign` bin: a thin shell over exported functions (probeBucket, auditBucket, signerPolicy,
// corsConfiguration), so everything it prints can also be had as data.
import { audit } from './audit.js'
import { asUsage, UsageError } from './args.js'
import { EXIT, type Command } from './command.js'
import type { Io } from './output.js'
import { cors, policy } from './policy.js'
import { probe } from './probe.js'

const COMMANDS: readonly Command[] = [probe, audit, policy, cors]

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return `safe-presign <command> [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'safe-presign <command> --help' for its flags. Docs: docs/cli.md.
Exit codes: 0 all is well; 1 a high or critical finding; 2 bad usage; 3 the command could not run.`
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.err(usage())
    return EXIT.usage
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage())
    return EXIT.ok
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.err(`safe-presign: unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((c) => c.name).join(', ')} (safe-presign --help)`)
    return EXIT.usage
  }
  try {
    return await command.run(rest, io)
  } catch (raw) {
    const error = asUsage(raw)
    if (error instanceof UsageError) {
      io.err(`safe-presign ${command.name}: ${error.message} (safe-presign ${command.name} --help)`)
      return EXIT.usage
    }
    const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error)
    io.err(`safe-presign ${command.name}: ${message}`)
    return EXIT.error
  }
}
