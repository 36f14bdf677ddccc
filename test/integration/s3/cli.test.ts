// The BUILT bin (`npm run build`, then `node dist/cli.js ...` as a child process) against RGW: exit codes,
// --help, usage errors naming the flag, and --json that parses. The probe runs with one client (exit 1:
// the critical copy-source row) and with the split setup (exit 0: only low and medium rows fail on RGW).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { corsConfiguration, signerPolicy, type AuditFinding, type ProbeFinding } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor, usersMissing } from '../../helpers/rgw.js'
import { splitFixture } from './split.js'

const peer = rgwPeer()
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const CLI = join(root, 'dist/cli.js')

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Run {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID: undefined, SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY: undefined }
  if (peer.credentials) Object.assign(base, { AWS_ACCESS_KEY_ID: peer.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: peer.credentials.secretAccessKey })
  const out = spawnSync(process.execPath, [CLI, ...args], { env: { ...base, ...env } as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 })
  return { status: out.status, stdout: out.stdout, stderr: out.stderr }
}

const s3 = () => ['--endpoint', peer.endpoint!, '--region', 'us-east-1', '--path-style']

describeWithServer('the safe-presign bin (dist/cli.js) against RGW', peer.missing, () => {
  let client: S3Client
  let bucket: string
  beforeAll(async () => {
    // global-setup.ts built dist/ before any test ran, if it was missing or older than src/.
    expect(existsSync(CLI), `${CLI} is missing`).toBe(true)
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
  })
  afterAll(async () => {
    if (bucket) await removeBucket(client, bucket)
    client?.destroy()
  })

  it('--help lists the commands (exit 0); each command has --help (exit 0)', () => {
    const top = cli(['--help'])
    expect(top.status).toBe(0)
    for (const name of ['probe', 'audit', 'policy', 'cors']) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
    for (const name of ['probe', 'audit', 'policy', 'cors']) {
      const help = cli([name, '--help'])
      expect(help.status, name).toBe(0)
      expect(help.stdout, name).toMatch(new RegExp(`^safe-presign ${name} --`))
    }
  })

  it.each([
    [['probe', '--bucket', 'b', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['probe', '--endpoint', 'http://127.0.0.1:1'], '--bucket is required'],
    [['probe', '--bucket', 'user-files', '--prefix', 'uploads'], '--prefix:'],
    [['audit', '--bucket', 'Not_A_Bucket'], '--bucket:'],
    [['policy', '--role', 'admin', '--bucket', 'b', '--prefix', 'p/'], '--role is "admin"'],
    [['policy', '--role', 'upload', '--bucket', 'user-files'], '--prefix is required'],
    [['cors', '--origin', 'https://*.example.com'], '--origin:'],
    [['cors', '--max-age', 'soon', '--origin', 'https://app.example'], '--max-age is "soon"'],
    [['deploy'], 'unknown command "deploy"'],
    [[], 'safe-presign <command>'],
  ])('bad usage %j: exit 2, stderr names it', (args, named) => {
    const run = cli(args)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(named)
    expect(run.stdout).toBe('')
  })

  it('probe with one client: exit 1, --json has the critical copy-source row; nothing left under the prefix', async () => {
    const run = cli(['probe', '--bucket', bucket, '--prefix', 'uploads/', '--json', ...s3()])
    expect(run.status, run.stderr).toBe(1)
    const report = JSON.parse(run.stdout) as { version: number; command: string; ok: boolean; findings: ProbeFinding[] }
    expect(report).toMatchObject({ version: 1, command: 'probe', bucket, prefix: 'uploads/', ok: false })
    expect(report.findings.find((f) => f.id === 'unsigned-copy-source')).toMatchObject({ ok: false, severity: 'critical' })
    expect(report.findings.find((f) => f.id === 'unsigned-acl')).toMatchObject({ ok: false, severity: 'high' })
    expect(report.findings.find((f) => f.id === 'signer-separate')).toMatchObject({ ok: false, severity: 'high' })
    const left = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'uploads/' }))
    expect(left.KeyCount ?? 0).toBe(0)
  })

  it('probe, human output (not a TTY): an aligned table without colour, the remedies and the exit code', () => {
    const run = cli(['probe', '--bucket', bucket, ...s3()])
    expect(run.status).toBe(1)
    expect(run.stdout).not.toContain('\u001b[')
    const lines = run.stdout.split('\n').filter((l) => /^(RESULT|ok|FAIL) /.test(l))
    expect(lines).toHaveLength(19)
    const idColumn = lines[0]!.indexOf('ID')
    for (const line of lines.slice(1)) expect(line.slice(idColumn)).toMatch(/^[a-z0-9-]+ +\S/)
    expect(run.stdout).toMatch(/^FAIL {4}critical {2}unsigned-copy-source {2}client's object: 200, COPIED/m)
    expect(run.stdout).toContain('unsigned-copy-source (critical): use a separate signer')
    expect(run.stdout).toMatch(/6 of 18 rows not ok, 4 of them high or critical \(exit 1\)\n$/)
  })

  it('audit --json: valid JSON, one finding per setting; the exit code follows its high/critical rows', () => {
    const run = cli(['audit', '--bucket', bucket, '--origin', 'https://app.example', '--json', ...s3()])
    const report = JSON.parse(run.stdout) as { version: number; command: string; ok: boolean; findings: AuditFinding[] }
    expect(report).toMatchObject({ version: 1, command: 'audit', bucket })
    expect(report.findings.map((f) => f.id)).toContain('cors')
    const failing = report.findings.some((f) => !f.ok && (f.severity === 'high' || f.severity === 'critical'))
    expect(report.ok).toBe(!failing)
    expect(run.status).toBe(failing ? 1 : 0)
  })

  it('policy and cors: exit 0, the generators\' documents as JSON', () => {
    const policy = cli(['policy', '--role', 'upload', '--bucket', 'user-files', '--prefix', 'uploads/', '--quarantine-prefix', 'quarantine/'])
    expect(policy.status, policy.stderr).toBe(0)
    expect(JSON.parse(policy.stdout)).toEqual(signerPolicy({ role: 'upload', bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/' }))
    const cors = cli(['cors', '--origin', 'https://app.example', '--origin', 'http://localhost:3000', '--max-age', '300', '--json'])
    expect(cors.status, cors.stderr).toBe(0)
    expect(JSON.parse(cors.stdout)).toEqual(corsConfiguration({ origins: ['https://app.example', 'http://localhost:3000'], maxAgeSeconds: 300 }))
  })
})

describeWithServer('the safe-presign bin, probe with the split setup on RGW', usersMissing(peer), () => {
  const fixture = splitFixture(peer, { prefix: 'uploads/' })

  it('signer from SAFE_PRESIGN_SIGNER_*: exit 0; only unsigned-meta (low) and checksum-sha256 (medium) not ok on RGW', () => {
    const { split } = fixture()
    const env = { SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID: split.users.upload.credentials.accessKeyId, SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY: split.users.upload.credentials.secretAccessKey }
    const run = cli(['probe', '--bucket', split.bucket, '--prefix', 'uploads/', '--json', ...s3()], env)
    expect(run.status, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout) as { ok: boolean; findings: ProbeFinding[] }
    expect(report.ok).toBe(true)
    expect(report.findings.filter((f) => !f.ok).map((f) => `${f.id}:${f.severity}`)).toEqual(['checksum-sha256:medium', 'unsigned-meta:low'])
    expect(report.findings.find((f) => f.id === 'unsigned-copy-source')).toMatchObject({ ok: true })
  })

  it('half a signer in the environment is bad usage (exit 2), naming the missing variable', () => {
    const { split } = fixture()
    const run = cli(['probe', '--bucket', split.bucket, ...s3()], { SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID: 'AKEXAMPLE' })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY is not set')
  })
})
