// `safe-presign audit`: auditBucket() (read-only) as a table or JSON.
import { auditBucket } from '../hardening/audit.js'
import { parse, required, S3_FLAGS } from './args.js'
import { EXIT, S3_HELP, type Command } from './command.js'
import { failing, json, summary, table, useColour, type Io } from './output.js'
import { clientFrom } from './s3.js'

const FLAGS = { ...S3_FLAGS, origin: { type: 'string', multiple: true } } as const

export const audit: Command = {
  name: 'audit',
  summary: "read the bucket's settings (logging, public access, CORS, policy, ACL, ownership); changes nothing",
  help: `safe-presign audit --bucket B [--origin O ...] [options]

Reads the bucket's settings and reports each against what safe-presign recommends. Read-only.

  --origin O            your app's exact origins (repeat the flag); CORS rules allowing others are findings
${S3_HELP}

Exit: 0 no high or critical finding; 1 one; 2 bad usage; 3 the audit could not run.`,
  async run(argv: string[], io: Io): Promise<number> {
    const flags = parse(argv, FLAGS)
    if (flags.help) {
      io.out(audit.help)
      return EXIT.ok
    }
    const bucket = required(flags, 'bucket')
    const client = clientFrom(flags)
    try {
      const findings = await auditBucket({ client, bucket, ...(flags.origin ? { origins: flags.origin } : {}) })
      if (flags.json) {
        io.out(json({ version: 1, command: 'audit', bucket, ok: !findings.some(failing), findings }))
      } else {
        const rows = findings.map((f) => ({ ok: f.ok, severity: f.severity, id: f.id, text: f.message }))
        io.out(`audit of bucket ${bucket}\n\n${table(rows, ['RESULT', 'SEVERITY', 'ID', 'MESSAGE'], useColour(io))}\n${summary(rows, new Map())}`)
      }
      return findings.some(failing) ? EXIT.finding : EXIT.ok
    } finally {
      client.destroy()
    }
  },
}
