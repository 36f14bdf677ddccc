// The form of a POST Object request, read as S3 reads it: multipart/form-data (parsed by undici, the
// parser behind Node's fetch), field names case-insensitive, a repeated field's values joined with
// commas, only the fields before the file, and ${filename} expanded in every field.
// AWS: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTForms.html and, for the parts
// the SigV4 page no longer spells out, https://docs.aws.amazon.com/AmazonS3/latest/dev/HTTPPOSTForms.html
import { S3Error, errors } from './errors.js'
import type { S3Request } from './request.js'

export interface FormField {
  /** The name as first sent (messages keep it); the map key is its lower-case form. */
  name: string
  value: string
}

export interface PostForm {
  /** The fields before the file, by lower-case name. */
  fields: Map<string, FormField>
  file: { body: Uint8Array; filename: string | undefined }
}

/** "The form data and boundaries (excluding the contents of the file) cannot exceed 20 KB." */
export const MAX_PRE_DATA_BYTES = 20 * 1024

const malformed = () => new S3Error(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.')

/** S3's answer for a required field that is absent, or sent after the file (where S3 stops reading). */
export const missingField = (name: string) =>
  errors.invalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '')

function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return m?.[1] ?? m?.[2]
}

/** The file's name as S3 uses it for ${filename}: the text after the last slash or backslash. */
const baseName = (name: string) => name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1)

export async function readForm(req: S3Request): Promise<PostForm> {
  const type = req.headers.get('content-type') ?? ''
  // AWS answers 412 for this, not the RequestIsNotMultiPartContent its error table lists.
  if (!/^multipart\/form-data\s*(;|$)/i.test(type)) throw errors.preconditionFailed('Bucket POST must be of the enclosure-type multipart/form-data')
  const boundary = boundaryOf(type)
  if (boundary === undefined) throw malformed()
  let entries: [string, string | File][]
  try {
    const parsed = await new Request('http://test-s3.invalid/', { method: 'POST', headers: { 'content-type': type }, body: req.body as Uint8Array<ArrayBuffer> }).formData()
    entries = [...parsed]
  } catch {
    throw malformed()
  }
  // Counted over the whole body: a second file is refused, not silently dropped.
  const files = entries.filter(([name]) => name.toLowerCase() === 'file')
  if (files.length !== 1) throw errors.invalidArgument('POST requires exactly one file upload per request.', 'file', String(files.length))
  const at = entries.findIndex(([name]) => name.toLowerCase() === 'file')
  const file = entries[at]![1]

  const fields = new Map<string, FormField>()
  let preData = 0
  for (const [name, entry] of entries.slice(0, at)) {
    // A part with a filename under another name is a field like any other: its content is its value.
    const value = typeof entry === 'string' ? entry : await entry.text()
    preData += Buffer.byteLength(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    const lower = name.toLowerCase()
    const seen = fields.get(lower)
    // AWS: "If you have multiple fields with the same name, the values must be separated by commas."
    fields.set(lower, seen ? { name: seen.name, value: `${seen.value},${value}` } : { name, value })
  }
  if (preData > MAX_PRE_DATA_BYTES) {
    throw new S3Error(400, 'MaxPostPreDataLengthExceeded', 'Your POST request fields preceeding the upload file was too large.', { MaxPostPreDataLengthBytes: String(MAX_PRE_DATA_BYTES) })
  }

  // A part without a filename parameter leaves ${filename} as it is (what S3 does); filename="" empties it.
  const filename = typeof file === 'string' ? undefined : baseName(file.name)
  if (filename !== undefined) {
    for (const field of fields.values()) field.value = field.value.replaceAll('${filename}', filename)
  }
  // "File or text content": a part without a filename is text, stored as its UTF-8 (undici decodes it so).
  const body = typeof file === 'string' ? new TextEncoder().encode(file) : new Uint8Array(await file.arrayBuffer())
  return { fields, file: { body, filename } }
}
