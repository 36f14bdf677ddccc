// POST {base}/grant: the kind of upload is the server's decision, by the builder's rules and the
// declared size, never the client's choice of signing method.
import { MAX_PUT_SIZE_BYTES } from '../limits.js'
import type { SafeUpload } from '../upload.js'
import { invalid } from '../_internal/validate.js'
import type { JsonBody } from './body.js'
import { optional, required } from './fields.js'
import type { ChecksumRequirement, GrantAnswer } from './protocol.js'

export async function grant(uploads: SafeUpload, owner: string, body: JsonBody): Promise<GrantAnswer> {
  const contentType = required(body, 'contentType', 'string')
  const filename = optional(body, 'filename', 'string')
  const size = optional(body, 'size', 'number')
  const checksum = optional(body, 'checksum', 'string')
  const asked = optional(body, 'multipart', 'boolean') === true
  const { config } = uploads
  const requirement: ChecksumRequirement = config.checksum === false ? null : config.checksum
  // Built field by field: an absent field stays absent rather than an explicit undefined.
  const request = { owner, contentType, ...(filename !== undefined && { filename }), ...(checksum !== undefined && { checksum }) }

  if (asked && !config.multipart) invalid('INVALID_REQUEST', 'multipart', true, 'this server does not take multipart uploads')
  const multipart = config.multipart !== undefined && (asked || (size !== undefined && (size >= config.multipart.threshold || size > MAX_PUT_SIZE_BYTES)))
  if (multipart) {
    if (size === undefined) invalid('INVALID_REQUEST', 'size', size, 'a multipart upload signs every part\'s exact size, so it is required')
    const upload = await uploads.createMultipart({ ...request, size })
    const { key, uploadId, partSize, partCount, expiresAt } = upload
    return { kind: 'multipart', key, uploadId, partSize, partCount, expiresAt, checksum: requirement }
  }
  // Without `multipart`, a size over 5 GiB goes to presign(), which refuses it as FILE_TOO_LARGE.
  const granted = await uploads.presign(size === undefined ? request : { ...request, size })
  if (granted.method === 'PUT') {
    return { kind: 'put', key: granted.key, url: granted.url, headers: granted.headers, expiresAt: granted.expiresAt, checksum: requirement }
  }
  return { kind: 'post', key: granted.key, url: granted.url, fields: granted.fields, expiresAt: granted.expiresAt, checksum: requirement }
}
