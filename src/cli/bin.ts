// The bin's entry (dist/cli.js): wires main() to the process. main() itself takes its I/O as an
// argument, so tests can run commands in-process.
import { main } from './main.js'
import type { Io } from './output.js'

const io: Io = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
}

// exitCode, not exit(): stdout is flushed before the process ends.
process.exitCode = await main(process.argv.slice(2), io)
