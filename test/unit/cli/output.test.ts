// The CLI's output rules, in-process: colour only on a TTY and never with NO_COLOR, an aligned table,
// and the exit code a finding gives. Usage errors name the flag before anything is sent.
import { describe, expect, it, vi } from 'vitest'
import { main } from '../../../src/cli/main.js'
import { failing, table, useColour, type Io, type Row } from '../../../src/cli/output.js'

const ESC = '\u001b['
const rows: Row[] = [
  { ok: true, severity: 'critical', id: 'expired', text: '403 AccessDenied' },
  { ok: false, severity: 'high', id: 'unsigned-acl', text: 'PUT 200; anonymous GET 200' },
  { ok: false, severity: 'low', id: 'unsigned-meta', text: '200; stored' },
]

function io(env: Record<string, string | undefined> = {}, isTTY = false) {
  const out: string[] = []
  const err: string[] = []
  const value: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), env, isTTY }
  return { io: value, out, err }
}

describe('colour', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, {}, false],
  ])('isTTY %s, env %j: colour %s', (isTTY, env, expected) => {
    expect(useColour(io(env, isTTY).io)).toBe(expected)
  })

  it('the table carries escapes only when asked to, and the same text either way', () => {
    const plain = table(rows, ['RESULT', 'SEVERITY', 'ID', 'OBSERVED'], false)
    const coloured = table(rows, ['RESULT', 'SEVERITY', 'ID', 'OBSERVED'], true)
    expect(plain).not.toContain(ESC)
    expect(coloured).toContain(ESC)
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain)
  })

  it('columns are aligned: every ID starts where the header says', () => {
    const lines = table(rows, ['RESULT', 'SEVERITY', 'ID', 'OBSERVED'], false).split('\n')
    const column = lines[0]!.indexOf('ID')
    expect(lines.slice(1).map((l) => l.slice(column).split(' ')[0])).toEqual(['expired', 'unsigned-acl', 'unsigned-meta'])
  })
})

describe('exit codes', () => {
  it('a finding fails the run only when it is not ok and high or critical', () => {
    expect(rows.map(failing)).toEqual([false, true, false])
  })

  it.each([
    [['probe'], '--bucket is required'],
    [['probe', '--bucket'], "Option '--bucket <value>' argument missing"],
    [['probe', '--bucket', 'user-files', '--origin', 'http://app.example'], '--origin:'],
    [['audit', '--bucket', 'user-files', '--endpoint', 'not a url'], '--endpoint "not a url" is not a URL'],
    [['probe', '--bucket', 'user-files', '--signer-profile', 'p'], '--signer-profile and SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID are both set'],
    [['cors', '--origin', 'https://app.example', '--method', 'DELETE'], '--method:'],
  ])('%j is bad usage (2), naming it', async (argv, named) => {
    const env = argv.includes('--signer-profile') ? { SAFE_PRESIGN_SIGNER_ACCESS_KEY_ID: 'a', SAFE_PRESIGN_SIGNER_SECRET_ACCESS_KEY: 'b' } : {}
    const run = io(env)
    expect(await main(argv, run.io)).toBe(2)
    expect(run.err.join('\n')).toContain(named)
    expect(run.out).toEqual([])
  })

  it('an unreachable endpoint is exit 3 (could not run), not a finding', async () => {
    // The SDK reads the client's credentials from the process environment.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'a')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'b')
    const run = io()
    const code = await main(['probe', '--bucket', 'user-files', '--endpoint', 'http://127.0.0.1:9', '--region', 'us-east-1', '--path-style'], run.io)
    expect(code).toBe(3)
    expect(run.err.join('\n')).toMatch(/^safe-presign probe: S3_ERROR: probeBucket could not finish/)
    vi.unstubAllEnvs()
  })
})
