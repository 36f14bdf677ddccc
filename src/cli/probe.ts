// `safe-presign probe`: probeBucket() with real grants against a bucket, as a table or JSON.
import { probeBucket, type ProbeFinding } from '../probe/probe.js'
import { parse, required, S3_FLAGS } from './args.js'
import { EXIT, S3_HELP, type Command } from './command.js'
import { failing, json, summary, table, useColour, type Io } from './output.js'
import { clientFrom, signerFrom } from './s3.js'

const FLAGS = {
  ...S3_FLAGS,
  prefix: { type: 'string', default: 'uploads/' },
  origin: { type: 'string' },
  'signer-profile': { type: 'string' },
} as const

export const probe: Command = {
  name: 'probe',
  summary: 'measure what the bucket enforces of presigned uploads (writes and deletes test objects)',
  help: `safe-presign probe --bucket B [--prefix uploads/] [options]

Sends real presigned requests (a few dozen) and reports, row by row, what the store stopped. Writes only
under <prefix>safe-presign-probe-<uuid>/ and deletes it all before exiting. See docs/probe.md.

  --prefix P            your upload prefix, '' or ending in '/' (default: uploads/)
  --origin O            your app's origin; its preflight is reported too
  --signer-profile NAME the profile of your upload signer (or set SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID and
                        SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY); without one, the client signs
${S3_HELP}

The client (bucket owner or worker) needs PutObject, GetObject, DeleteObject and ListBucket on the prefix.
Exit: 0 no high or critical row failed; 1 one did; 2 bad usage; 3 the probe could not run.`,
  async run(argv: string[], io: Io): Promise<number> {
    const flags = parse(argv, FLAGS)
    if (flags.help) {
      io.out(probe.help)
      return EXIT.ok
    }
    const bucket = required(flags, 'bucket')
    const signer = signerFrom(flags, io.env)
    const client = clientFrom(flags)
    try {
      const { findings } = await probeBucket({ client, bucket, prefix: flags.prefix, ...(signer ? { signer } : {}), ...(flags.origin ? { origin: flags.origin } : {}) })
      io.out(flags.json ? json(report(bucket, flags.prefix, findings)) : human(bucket, flags.prefix, findings, useColour(io)))
      return findings.some(failing) ? EXIT.finding : EXIT.ok
    } finally {
      client.destroy()
      signer?.destroy()
    }
  },
}

/** The --json shape (version 1): stable; new fields may be added, none removed or renamed. */
function report(bucket: string, prefix: string, findings: ProbeFinding[]) {
  return { version: 1, command: 'probe', bucket, prefix, ok: !findings.some(failing), findings }
}

function human(bucket: string, prefix: string, findings: ProbeFinding[], colour: boolean): string {
  const rows = findings.map((f) => ({ ok: f.ok, severity: f.severity, id: f.id, text: f.observed }))
  const remedies = new Map(findings.filter((f) => !f.ok).map((f) => [f.id, f.remedy]))
  return `probe of bucket ${bucket}, prefix ${JSON.stringify(prefix)}\n\n${table(rows, ['RESULT', 'SEVERITY', 'ID', 'OBSERVED'], colour)}\n${summary(rows, remedies)}`
}
