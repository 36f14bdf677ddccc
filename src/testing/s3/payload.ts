// What a write's body is, and that it is what the client said: the payload hash of header auth,
// aws-chunked bodies with trailing checksums (what the SDK sends for a stream), Content-MD5 and the
// flexible checksums. Every mismatch is refused with the error AWS documents, and nothing is stored.
import { CHECKSUMS, isBase64Of, md5Base64 } from './checksums.js'
import { S3Error, errors } from './errors.js'
import type { S3Request } from './request.js'
import { sha256, type Auth } from './sigv4.js'

export interface Payload {
  body: Uint8Array
  /** The flexible checksums the client sent and S3 verified (algorithm → base64). */
  checksums: Record<string, string>
}

// x-amz-checksum-* names that are not a checksum of the body.
const NOT_A_CHECKSUM = new Set(['x-amz-checksum-mode', 'x-amz-checksum-algorithm', 'x-amz-checksum-type'])

/** Decodes `aws-chunked` (unsigned chunks: `<hex size>\r\n<data>\r\n`…`0\r\n<trailers>\r\n\r\n`). */
function decodeChunked(raw: Uint8Array): { body: Uint8Array; trailers: Map<string, string> } {
  const text = (from: number, to: number) => new TextDecoder().decode(raw.subarray(from, to))
  const parts: Uint8Array[] = []
  let at = 0
  const bad = () => new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.')
  for (;;) {
    const eol = raw.indexOf(0x0a, at)
    if (eol < 0) throw bad()
    const line = text(at, eol).replace(/\r$/, '')
    const size = parseInt(line.split(';')[0]!, 16)
    if (!Number.isInteger(size) || size < 0) throw bad()
    at = eol + 1
    if (size === 0) break
    if (at + size > raw.length) throw bad()
    parts.push(raw.subarray(at, at + size))
    at += size
    if (raw[at] === 0x0d) at++
    if (raw[at] === 0x0a) at++
  }
  const trailers = new Map<string, string>()
  for (const line of text(at, raw.length).split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    body.set(p, o)
    o += p.length
  }
  return { body, trailers }
}

export function verifiedPayload(req: S3Request, auth: Auth): Payload {
  let body = req.body
  const sent = new Map<string, string>()
  for (const [name, value] of req.headers) if (name.startsWith('x-amz-checksum-') && !NOT_A_CHECKSUM.has(name)) sent.set(name, value)
  const hash = auth.payloadHash
  if (hash !== undefined && hash.startsWith('STREAMING-')) {
    if (hash !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') throw errors.notImplemented(`x-amz-content-sha256 "${hash}" (signed chunks) is not implemented by the test S3; the AWS SDK for JavaScript sends STREAMING-UNSIGNED-PAYLOAD-TRAILER`)
    const decoded = decodeChunked(body)
    body = decoded.body
    const declared = req.headers.get('x-amz-decoded-content-length')
    if (declared === undefined) throw new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.')
    if (Number(declared) !== body.length) throw new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.')
    // The trailer must be exactly the one x-amz-trailer declared: a declared checksum left out (or another
    // sent instead) would store the body unchecked. AWS answers 400 MalformedTrailerError.
    const declaredTrailer = req.headers.get('x-amz-trailer')?.trim().toLowerCase()
    const names = [...decoded.trailers.keys()]
    if (declaredTrailer === undefined ? names.length > 0 : names.length !== 1 || names[0] !== declaredTrailer) {
      throw new S3Error(400, 'MalformedTrailerError', 'The request contained trailing data that was not well-formed or did not conform to our published schema.')
    }
    for (const [name, value] of decoded.trailers) if (name.startsWith('x-amz-checksum-')) sent.set(name, value)
  } else if (hash !== undefined && hash !== 'UNSIGNED-PAYLOAD' && auth.type === 'REST-HEADER') {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw errors.invalidArgument('x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a valid sha256 value.', 'x-amz-content-sha256', hash)
    const actual = sha256(body)
    if (actual !== hash) {
      throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: hash, S3ComputedContentSHA256: actual })
    }
  }

  const md5 = req.headers.get('content-md5')
  if (md5 !== undefined) {
    if (!isBase64Of(md5, 16)) throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.', { 'Content-MD5': md5 })
    if (md5Base64(body) !== md5) throw errors.badDigest()
  }

  if (sent.size > 1) throw errors.invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.')
  const checksums: Record<string, string> = {}
  for (const [name, value] of sent) {
    const algorithm = name.slice('x-amz-checksum-'.length)
    const spec = CHECKSUMS[algorithm]
    if (!spec) throw errors.invalidRequest(`The algorithm type you specified in ${name} header is invalid.`)
    if (!isBase64Of(value, spec.bytes)) throw errors.invalidRequest(`Value for ${name} header is invalid.`)
    if (spec.digest(body) !== value) throw errors.badDigest(`The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`)
    checksums[algorithm] = value
  }
  const sdkAlgorithm = req.headers.get('x-amz-sdk-checksum-algorithm')
  if (sdkAlgorithm !== undefined && !(sdkAlgorithm.toLowerCase() in checksums) && !req.headers.has('x-amz-trailer')) {
    throw errors.invalidRequest('x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.')
  }
  return { body, checksums }
}
