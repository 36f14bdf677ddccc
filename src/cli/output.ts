// Human output: an aligned table, colour only on a TTY and never with NO_COLOR. Machine output is JSON
// (`--json`), whose shape is documented in docs/cli.md and only grows.
export interface Io {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
  /** Whether stdout is a terminal. */
  isTTY: boolean
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info'

export interface Row {
  ok: boolean
  severity: Severity
  id: string
  text: string
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', bold: '\u001b[1m', dim: '\u001b[2m', reset: '\u001b[0m' }

/** https://no-color.org: NO_COLOR present and not empty turns colour off. */
export function useColour(io: Io): boolean {
  return io.isTTY && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')
}

/** True for a finding that fails the run (exit 1). */
export const failing = (row: { ok: boolean; severity: Severity }) => !row.ok && (row.severity === 'critical' || row.severity === 'high')

export function table(rows: Row[], header: [string, string, string, string], colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${ANSI.reset}` : text)
  const cells = rows.map((r) => [r.ok ? 'ok' : 'FAIL', r.severity, r.id, r.text] as const)
  const width = (i: number) => Math.max(header[i]!.length, ...cells.map((c) => (c[i] ?? '').length))
  const w = [width(0), width(1), width(2)]
  const line = (c: readonly string[], paints: ((s: string) => string)[] = []) =>
    c.map((cell, i) => (i < 3 ? (paints[i] ?? ((s: string) => s))(cell.padEnd(w[i]!)) : cell)).join('  ').trimEnd()
  const out = [paint(ANSI.bold, line(header))]
  for (const [i, c] of cells.entries()) {
    const r = rows[i]!
    const result = (s: string) => paint(r.ok ? ANSI.green : ANSI.red, s)
    const severity = (s: string) => (r.ok ? paint(ANSI.dim, s) : failing(r) ? paint(ANSI.red + ANSI.bold, s) : paint(ANSI.yellow, s))
    out.push(line(c, [result, severity]))
  }
  return out.join('\n')
}

/** The closing lines: what failed and the exit code it gives. */
export function summary(rows: Row[], remedies: Map<string, string>): string {
  const notOk = rows.filter((r) => !r.ok)
  const lines = notOk.filter((r) => remedies.has(r.id)).map((r) => `  ${r.id} (${r.severity}): ${remedies.get(r.id)}`)
  const fails = notOk.filter(failing).length
  const head = notOk.length === 0 ? `all ${rows.length} rows ok` : `${notOk.length} of ${rows.length} rows not ok, ${fails} of them high or critical`
  return [lines.length > 0 ? `\nwhat to do:\n${lines.join('\n')}` : '', `\n${head} (exit ${fails > 0 ? 1 : 0})`].join('\n').replace(/^\n+/, '\n')
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2)
}
