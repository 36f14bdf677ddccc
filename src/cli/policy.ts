// `safe-presign policy` and `safe-presign cors`: the generators, printed as the JSON documents you apply.
// Both print JSON whether or not --json is given: the output is the document itself.
import { corsConfiguration, type CorsMethod } from '../hardening/cors.js'
import { signerPolicy, type SignerRole } from '../hardening/iam.js'
import { parse, required, UsageError } from './args.js'
import { EXIT, type Command } from './command.js'
import { json, type Io } from './output.js'

const POLICY_FLAGS = {
  role: { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  'quarantine-prefix': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export const policy: Command = {
  name: 'policy',
  summary: 'print the IAM identity policy of one signer role (upload, download or worker)',
  help: `safe-presign policy --role upload|download|worker --bucket B --prefix P [--quarantine-prefix Q]

Prints signerPolicy({ role }) as JSON: attach it to the role (or user) that signs for that role.

  --role R              upload (signs upload grants), download (signs links) or worker (runs complete())
  --bucket B            the bucket
  --prefix P            the final key prefix, ending in '/'
  --quarantine-prefix Q the quarantine prefix, when uploads land there first
  --json                accepted; the output is JSON anyway
  -h, --help            this help`,
  async run(argv: string[], io: Io): Promise<number> {
    const flags = parse(argv, POLICY_FLAGS)
    if (flags.help) {
      io.out(policy.help)
      return EXIT.ok
    }
    const role = required(flags, 'role')
    if (role !== 'upload' && role !== 'download' && role !== 'worker') throw new UsageError(`--role is ${JSON.stringify(role)}; it must be upload, download or worker`)
    const quarantine = flags['quarantine-prefix']
    const document = signerPolicy({ role: role as SignerRole, bucket: required(flags, 'bucket'), prefix: required(flags, 'prefix'), ...(quarantine !== undefined ? { quarantinePrefix: quarantine } : {}) })
    io.out(json(document))
    return EXIT.ok
  },
}

const CORS_FLAGS = {
  origin: { type: 'string', multiple: true },
  method: { type: 'string', multiple: true },
  'max-age': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export const cors: Command = {
  name: 'cors',
  summary: 'print a narrow CORS configuration for your exact origins',
  help: `safe-presign cors --origin https://app.example [--origin ...] [--method PUT ...] [--max-age S]

Prints corsConfiguration() as JSON, for PutBucketCors (aws s3api put-bucket-cors --cors-configuration file://...).

  --origin O            an exact origin (repeat the flag); required
  --method M            PUT, POST, GET or HEAD (repeat; default PUT, POST, GET)
  --max-age S           how long browsers may cache a preflight, in seconds (default 600)
  --json                accepted; the output is JSON anyway
  -h, --help            this help`,
  async run(argv: string[], io: Io): Promise<number> {
    const flags = parse(argv, CORS_FLAGS)
    if (flags.help) {
      io.out(cors.help)
      return EXIT.ok
    }
    if (!flags.origin || flags.origin.length === 0) throw new UsageError('--origin is required (repeat it for each origin)')
    let maxAgeSeconds: number | undefined
    if (flags['max-age'] !== undefined) {
      if (!/^\d+$/.test(flags['max-age'])) throw new UsageError(`--max-age is ${JSON.stringify(flags['max-age'])}; it must be a whole number of seconds`)
      maxAgeSeconds = Number(flags['max-age'])
    }
    const methods = flags.method?.map((m) => m.toUpperCase() as CorsMethod)
    io.out(json(corsConfiguration({ origins: flags.origin, ...(methods ? { methods } : {}), ...(maxAgeSeconds !== undefined ? { maxAgeSeconds } : {}) })))
    return EXIT.ok
  },
}
