// POST Object: a browser form upload authorized by a signed POST policy. The router sends it here
// unauthenticated; the form proves who signed it (post-auth.ts), the policy says what the form may
// hold (post-policy.ts), and the signer's IAM policies must allow s3:PutObject on the key with
// s3:authType POST. Stored as PutObject stores: same ACL rules, digests, byte cap and ETag.
// AWS: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
import { writeAcl } from './acl.js'
import { CHECKSUMS } from './checksums.js'
import { authorize, bucketOf, type Ctx, type S3Response } from './context.js'
import { S3Error, errors, escapeXml } from './errors.js'
import { MAX_PUT_BYTES, store, writtenObject } from './objects-write.js'
import { verifiedPayload } from './payload.js'
import { authenticateForm } from './post-auth.js'
import { headerText, mimeEncode } from './post-encoding.js'
import { missingField, readForm, type PostForm } from './post-form.js'
import { checkPolicy, checkSize, parsePolicy } from './post-policy.js'
import type { S3Request } from './request.js'
import type { Bucket, StoredObject } from './state.js'

const MAX_KEY_BYTES = 1024
// Form fields that are PutObject headers under the same name (RESTObjectPOST's field table).
const HEADER_FIELDS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'content-md5']

/**
 * The form as the request PutObject would have been, for payload.ts, acl.ts and objects-write.ts:
 * its header fields as headers, `acl` as x-amz-acl. Other fields are not headers: a form cannot
 * smuggle x-amz-acl or a grant past the `acl` field that IAM's s3:x-amz-acl sees.
 */
function asRequest(req: S3Request, form: PostForm): S3Request {
  const headers = new Map<string, string>()
  for (const [name, { value }] of form.fields) {
    if (HEADER_FIELDS.includes(name)) headers.set(name, headerText(value))
    else if (name.startsWith('x-amz-meta-')) headers.set(name, mimeEncode(value))
    else if (name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-algorithm') headers.set(name, value)
  }
  const acl = form.fields.get('acl')?.value
  if (acl !== undefined) headers.set('x-amz-acl', acl)
  return { ...req, headers, body: form.file.body }
}

/** x-amz-checksum-algorithm: "If a value is specified, you must include the matching checksum header. Otherwise, your request will generate a 400 error." */
function checkChecksumAlgorithm(form: PostForm): void {
  const named = form.fields.get('x-amz-checksum-algorithm')?.value
  if (named === undefined) return
  const algorithm = named.toLowerCase()
  if (!(algorithm in CHECKSUMS)) throw errors.invalidRequest('Value for x-amz-checksum-algorithm field is invalid.')
  if (!form.fields.has(`x-amz-checksum-${algorithm}`)) throw errors.invalidRequest(`x-amz-checksum-algorithm specified, but no corresponding x-amz-checksum-${algorithm} field was found.`)
}

export async function postObject(ctx: Ctx): Promise<S3Response> {
  const form = await readForm(ctx.req)
  const key = form.fields.get('key')?.value
  if (key === undefined || key === '') throw missingField('key')
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error(400, 'KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: String(MAX_KEY_BYTES), Size: String(Buffer.byteLength(key)) })
  const signed = authenticateForm(ctx.state, form)
  // From here the request is the signer's, for IAM and for whoever reads ctx.auth after the handler.
  if (signed) ctx.auth = signed.auth
  const bucket = bucketOf(ctx)
  // Anonymous writes are refused, as PutObject refuses them: the test S3 has no public-write buckets.
  if (!signed) throw errors.accessDenied()

  const policy = parsePolicy(signed.policy)
  const values = new Map([...form.fields].map(([name, f]) => [name, f.value]))
  // $bucket is the bucket the form was posted to; a `bucket` field (the SDK sends one) only needs covering.
  values.set('bucket', bucket.name)
  checkPolicy(policy, values, [...form.fields.keys()], ctx.state.now())

  const auth = signed.auth
  const acl = form.fields.get('acl')?.value
  authorize(ctx, 's3:PutObject', bucket.name, key, { 's3:x-amz-acl': acl })
  const req = asRequest(ctx.req, form)
  const storedAcl = writeAcl(req, bucket)
  const size = form.file.body.byteLength
  checkSize(policy, size)
  if (size > MAX_PUT_BYTES) throw errors.entityTooLarge(size, MAX_PUT_BYTES)
  checkChecksumAlgorithm(form)
  const { body, checksums } = verifiedPayload(req, auth)
  const object = writtenObject({ ...ctx, auth }, req, key, body, checksums, storedAcl)
  store(ctx, bucket, object)
  return answer(ctx, bucket, object, form)
}

/** A URL S3 can redirect to: absolute http(s). S3 acts as if any other value were not there. */
function redirectTarget(value: string | undefined): string | undefined {
  if (value === undefined || !/^https?:\/\//i.test(value)) return undefined
  try {
    new URL(value)
    return value
  } catch {
    return undefined
  }
}

/** The answer the form asked for: 303 to success_action_redirect, or success_action_status 200 / 201 / 204. */
function answer(ctx: Ctx, bucket: Bucket, object: StoredObject, form: PostForm): S3Response {
  const host = ctx.req.headers.get('host') ?? '127.0.0.1'
  // The key percent-encoded, "/" too, as S3 writes Location (path-style here).
  const location = `http://${host}/${bucket.name}/${encodeURIComponent(object.key)}`
  const headers: Record<string, string> = { etag: object.etag, location, 'x-amz-server-side-encryption': 'AES256' }
  for (const [algorithm, value] of Object.entries(object.checksums)) headers[`x-amz-checksum-${algorithm}`] = value
  const field = (name: string) => form.fields.get(name)?.value

  const redirect = redirectTarget(field('success_action_redirect') ?? field('redirect'))
  if (redirect !== undefined) {
    // Appended to the URL's own query, form-encoded ("/" as %2F, the ETag quoted as %22…%22).
    const hash = redirect.indexOf('#')
    const [base, fragment] = hash < 0 ? [redirect, ''] : [redirect.slice(0, hash), redirect.slice(hash)]
    const join = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&'
    const query = new URLSearchParams({ bucket: bucket.name, key: object.key, etag: object.etag }).toString()
    return { status: 303, headers: { ...headers, location: `${base}${join}${query}${fragment}` } }
  }
  const status = field('success_action_status')
  if (status === '200') return { status: 200, headers }
  if (status === '201') {
    // No namespace on PostResponse, and the ETag's quotes raw, as S3 sends it (the ETag is hex in quotes).
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket.name)}</Bucket><Key>${escapeXml(object.key)}</Key><ETag>${object.etag}</ETag></PostResponse>`
    return { status: 201, headers: { ...headers, 'content-type': 'application/xml' }, body: xml }
  }
  return { status: 204, headers }
}
