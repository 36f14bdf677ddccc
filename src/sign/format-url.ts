// A signed request as a URL string: what the SDK's formatUrl does, for the requests presign() builds
// (no username, password or fragment). Our own, so the package needs no internal SDK shim; the
// differential tests (test/unit/sign/differential.test.ts) hold it byte-for-byte to getSignedUrl.

export interface UrlParts {
  protocol: string
  hostname: string
  port?: number
  path: string
  query?: Record<string, string | string[] | null | undefined>
}

// Most names and values (the X-Amz-* names, dates, hex signatures) need no escaping: test first.
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/
/** RFC 3986 escaping, as SigV4 canonicalizes (and S3 encodes a key's segments): encodeURIComponent plus `!'()*`. */
export const escapeRfc3986 = (s: string): string =>
  UNRESERVED.test(s) ? s : encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

export function formatUrl({ protocol, hostname, port, path, query = {} }: UrlParts): string {
  const scheme = protocol.endsWith(':') ? protocol : `${protocol}:`
  const host = port ? `${hostname}:${port}` : hostname
  // Sorted by name, as the SDK does; a null or undefined value is a bare name.
  const parts = Object.keys(query).sort().flatMap((name) => {
    const value = query[name]
    const key = escapeRfc3986(name)
    if (Array.isArray(value)) return value.map((v) => `${key}=${escapeRfc3986(v)}`)
    return [typeof value === 'string' ? `${key}=${escapeRfc3986(value)}` : key]
  })
  const search = parts.length > 0 ? `?${parts.join('&')}` : ''
  return `${scheme}//${host}${path.startsWith('/') || path === '' ? path : `/${path}`}${search}`
}
