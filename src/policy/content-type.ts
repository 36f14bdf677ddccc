import { SafePresignError } from '../errors.js'

// RFC 7231 media type without parameters: type "/" subtype, both RFC 7230 tokens.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`)
const WILDCARD = new RegExp(`^${TOKEN}/\\*$`)

// The 16 JavaScript MIME type essences of the WHATWG MIME Sniffing standard (§4.6): a browser runs a
// `<script src>` served with any of them. All 16, not the common few: `text/javascript1.5` runs too.
const JAVASCRIPT_MIME_TYPES = [
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
] as const

// Types a browser runs as active content (script). A wildcard never covers them: `image/*` does not
// allow `image/svg+xml`, nor `text/*` `text/html`. List one explicitly to allow it.
export const ACTIVE_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'image/svg+xml',
  'text/html',
  'application/xhtml+xml',
  'text/xml',
  'application/xml',
  'text/xsl',
  'application/xslt+xml',
  'application/x-shockwave-flash',
  ...JAVASCRIPT_MIME_TYPES,
])

/** True for a type a browser may run as script: the list above, and any `+xml` type (RSS, XHTML, SVG). */
export function isActiveContentType(type: string): boolean {
  return ACTIVE_CONTENT_TYPES.has(type) || type.endsWith('+xml')
}

export interface ContentTypeAllowlist {
  readonly exact: ReadonlySet<string>
  /** Type prefixes of `type/*` entries, with the slash: 'image/'. */
  readonly prefixes: readonly string[]
  readonly entries: readonly string[]
}

/** Validates the builder's allowlist once. `*\/*`, `*`, an empty list and parameters are refused. */
export function parseAllowlist(value: unknown): ContentTypeAllowlist {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SafePresignError(
      'INVALID_CONFIG',
      `\`allowedContentTypes\` is ${JSON.stringify(value)}; it must be a non-empty array of media types such as "image/png" or "image/*"`,
      { details: { option: 'allowedContentTypes', value } },
    )
  }
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const raw of value) {
    const entry = typeof raw === 'string' ? raw.trim().toLowerCase() : raw
    if (typeof entry !== 'string' || entry.startsWith('*') || !(MEDIA_TYPE.test(entry) || WILDCARD.test(entry))) {
      throw new SafePresignError(
        'INVALID_CONFIG',
        `\`allowedContentTypes\` contains ${JSON.stringify(raw)}; each entry must be "type/subtype" or "type/*", and "*/*" (any content type) is refused`,
        { details: { option: 'allowedContentTypes', value: raw } },
      )
    }
    if (entry.endsWith('/*')) prefixes.push(entry.slice(0, -1))
    else exact.add(entry)
  }
  return { exact, prefixes, entries: [...exact, ...prefixes.map((p) => `${p}*`)] }
}

/** The normalized type if `contentType` is allowed, else undefined. Wildcards are only accepted when `allowWildcard`. */
export function matchContentType(list: ContentTypeAllowlist, contentType: string, allowWildcard = false): string | undefined {
  const type = contentType.trim().toLowerCase()
  if (allowWildcard && WILDCARD.test(type)) return list.prefixes.includes(type.slice(0, -1)) ? type : undefined
  // `*` is a token character, so MEDIA_TYPE alone would take 'image/*' for a concrete type.
  if (!MEDIA_TYPE.test(type) || WILDCARD.test(type)) return undefined
  if (list.exact.has(type)) return type
  if (isActiveContentType(type)) return undefined
  return list.prefixes.some((p) => type.startsWith(p)) ? type : undefined
}

/** True when `actual` (a concrete type) satisfies `granted` (a concrete type or `type/*`). */
export function typeSatisfies(granted: string, actual: string): boolean {
  const a = actual.split(';')[0]!.trim().toLowerCase()
  if (!granted.endsWith('/*')) return a === granted
  return a.startsWith(granted.slice(0, -1)) && MEDIA_TYPE.test(a) && !WILDCARD.test(a) && !isActiveContentType(a)
}
