// The flexible checksums of a multipart upload, as AWS applies them: the algorithm (and checksum type)
// named at create, the checksum each part must then carry, what a completion lists for each part, and
// the object's checksum: COMPOSITE is the checksum of the parts' binary checksums followed by
// "-<parts>", FULL_OBJECT the checksum of every byte.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity-upload.html
import { CHECKSUMS } from './checksums.js'
import { S3Error, errors } from './errors.js'
import type { S3Request } from './request.js'
import type { MultipartUpload, UploadPart } from './state.js'
import { text, type XmlTree } from './xml.js'

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT'

// Which types each algorithm has (the first is its default): only CRCs combine into a full-object
// checksum, and CRC-64/NVME has no composite form.
const TYPES: Record<string, readonly ChecksumType[]> = {
  crc32: ['COMPOSITE', 'FULL_OBJECT'],
  crc32c: ['COMPOSITE', 'FULL_OBJECT'],
  crc64nvme: ['FULL_OBJECT'],
  sha1: ['COMPOSITE'],
  sha256: ['COMPOSITE'],
}

export const checksumTypeOf = (upload: MultipartUpload): ChecksumType | undefined => (upload.checksumAlgorithm ? upload.checksumType : undefined)

/** The XML element name of an algorithm's checksum: `ChecksumSHA256`, `ChecksumCRC64NVME`. */
export const elementOf = (algorithm: string): string => `Checksum${algorithm.toUpperCase()}`

/** x-amz-checksum-algorithm and x-amz-checksum-type of a CreateMultipartUpload (400 InvalidRequest for what AWS refuses). */
export function createChecksum(req: S3Request): { algorithm?: string; type?: ChecksumType } {
  const algorithmHeader = req.headers.get('x-amz-checksum-algorithm')
  const typeHeader = req.headers.get('x-amz-checksum-type')
  if (algorithmHeader === undefined) {
    if (typeHeader !== undefined) throw errors.invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.')
    return {}
  }
  const algorithm = algorithmHeader.toLowerCase()
  const types = TYPES[algorithm]
  if (!types) throw errors.invalidRequest(`Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${Object.keys(TYPES).map((a) => a.toUpperCase()).join(', ')}]`)
  if (typeHeader === undefined) return { algorithm, type: types[0] }
  const type = typeHeader.toUpperCase() as ChecksumType
  if (type !== 'COMPOSITE' && type !== 'FULL_OBJECT') throw errors.invalidRequest('Value for x-amz-checksum-type header is invalid.')
  if (!types.includes(type)) throw errors.invalidRequest(`The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`)
  return { algorithm, type }
}

/**
 * The checksums a part keeps, from the verified ones it was sent with. An upload created with an
 * algorithm takes parts with that checksum only (a full-object upload computes it when absent); one
 * created without keeps whatever verified checksum came (the SDK sends CRC32 on every part by default).
 */
export function partChecksums(upload: MultipartUpload, sent: Record<string, string>, body: Uint8Array): Record<string, string> {
  const algorithm = upload.checksumAlgorithm
  const actual = Object.keys(sent)[0]
  if (algorithm === undefined || actual === algorithm) return sent
  if (actual === undefined && checksumTypeOf(upload) === 'FULL_OBJECT') return { [algorithm]: CHECKSUMS[algorithm]!.digest(body) }
  throw errors.invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${algorithm}, actual checksum Type: ${actual ?? 'null'}`)
}

/** A part copied from an object: S3 computes the upload's checksum of the copied bytes itself. */
export function copiedChecksums(upload: MultipartUpload, body: Uint8Array): Record<string, string> {
  const algorithm = upload.checksumAlgorithm
  return algorithm === undefined ? {} : { [algorithm]: CHECKSUMS[algorithm]!.digest(body) }
}

/** AWS's InvalidPart, its message as S3 sends it (two spaces included). */
export const invalidPart = (): S3Error =>
  new S3Error(400, 'InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")

/**
 * A completion's checksums for one listed part: a composite upload needs its algorithm's checksum for
 * every part (400 InvalidRequest), and any checksum listed must be the part's (400 InvalidPart).
 */
export function checkListedChecksums(upload: MultipartUpload, listed: XmlTree, part: UploadPart): void {
  const algorithm = upload.checksumAlgorithm
  if (algorithm !== undefined && checksumTypeOf(upload) === 'COMPOSITE' && text(listed, elementOf(algorithm)) === undefined) {
    throw errors.invalidRequest(`The upload was created using a ${algorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${part.partNumber} in the request.`)
  }
  for (const name of Object.keys(CHECKSUMS)) {
    const value = text(listed, elementOf(name))
    if (value !== undefined && value !== part.checksums[name]) throw invalidPart()
  }
}

/** The completed object's checksums (algorithm → base64, `-<parts>` for a composite one). */
export function objectChecksums(upload: MultipartUpload, parts: readonly UploadPart[], body: Uint8Array): Record<string, string> {
  const algorithm = upload.checksumAlgorithm
  if (algorithm === undefined) return {}
  const spec = CHECKSUMS[algorithm]!
  if (checksumTypeOf(upload) === 'FULL_OBJECT') return { [algorithm]: spec.digest(body) }
  const binary = Buffer.concat(parts.map((p) => Buffer.from(p.checksums[algorithm] ?? '', 'base64')))
  return { [algorithm]: `${spec.digest(binary)}-${parts.length}` }
}

/**
 * A completion's own x-amz-checksum-type and x-amz-checksum-<algorithm> headers: the type named at
 * create, and the object's checksum (a composite one with or without its `-<parts>`), else 400 BadDigest.
 * An upload created without an algorithm counts as FULL_OBJECT (S3's default CRC64NVME is one), and a
 * checksum header is compared with that algorithm's checksum of the whole object.
 */
export function checkObjectChecksumHeaders(req: S3Request, upload: MultipartUpload, checksums: Record<string, string>, body: Uint8Array): void {
  const type = req.headers.get('x-amz-checksum-type')
  if (type !== undefined && type.toUpperCase() !== (checksumTypeOf(upload) ?? 'FULL_OBJECT')) {
    throw errors.badDigest(`The checksum type you specified (${type}) did not match the checksum type of the upload (${checksumTypeOf(upload) ?? 'none'}).`)
  }
  for (const [name, value] of req.headers) {
    const algorithm = name.startsWith('x-amz-checksum-') ? name.slice('x-amz-checksum-'.length) : ''
    const spec = CHECKSUMS[algorithm]
    if (!spec) continue
    const expected = upload.checksumAlgorithm === undefined ? spec.digest(body) : checksums[algorithm]
    if (expected === undefined || (value !== expected && value !== expected.replace(/-\d+$/, ''))) {
      throw errors.badDigest(`The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`)
    }
  }
}
