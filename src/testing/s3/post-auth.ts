// Who sent a POST Object form: SigV4 in form fields (x-amz-algorithm, -credential, -date, and
// x-amz-signature, the hex HMAC-SHA256 of the base64 `policy` text under the signing key of the
// credential's scope), or nobody. The signature is checked over the policy text as received, before
// the policy is decoded: a changed policy is SignatureDoesNotMatch, not a malformed document.
// AWS: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html
import { S3Error, errors } from './errors.js'
import { missingField, type PostForm } from './post-form.js'
import { checkSignature, parseAmzDate, parseCredential, principalFor, type Auth } from './sigv4.js'
import type { State } from './state.js'

export interface PostSignature {
  auth: Auth
  /** The `policy` field as sent: what was signed. */
  policy: string
}

// In the order S3 names the first one missing; the names as S3 spells them in the error.
const REQUIRED = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature', 'Policy'] as const
const SIGV4_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']

const argument = (message: string, name: string, value: string, extra: Record<string, string> = {}) =>
  new S3Error(400, 'InvalidArgument', message, { ArgumentName: name, ArgumentValue: value, ...extra })

/**
 * The signer of the form, verified; undefined for an anonymous form (no SigV4 field at all, even
 * with a `policy`: S3 then treats it as anonymous, and a private bucket refuses it).
 */
export function authenticateForm(state: State, form: PostForm): PostSignature | undefined {
  const get = (name: string) => form.fields.get(name.toLowerCase())?.value
  if (!SIGV4_FIELDS.some((f) => form.fields.has(f))) {
    // SigV2 (AWSAccessKeyId + signature): refused as for requests (sigv4.ts); AWS keeps it only in old regions.
    if (form.fields.has('awsaccesskeyid') || form.fields.has('signature')) {
      throw errors.invalidRequest('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.')
    }
    return undefined
  }
  for (const name of REQUIRED) if (get(name) === undefined) throw missingField(name)
  const [algorithm, credential, amzDate, signature, policy] = REQUIRED.map((n) => get(n)!) as [string, string, string, string, string]
  if (algorithm !== 'AWS4-HMAC-SHA256') throw argument('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', 'X-Amz-Algorithm', algorithm)
  if (credential.startsWith('/')) throw argument('a non-empty Access Key (AKID) must be provided in the credential.', 'X-Amz-Credential', credential)
  // parseCredential's messages are a presigned URL's; S3 answers a form without their prefix.
  const scope = parseCredential(state, credential, (message, extra) => argument(message.replace('Error parsing the X-Amz-Credential parameter; ', ''), 'X-Amz-Credential', credential, extra))
  const signedAt = parseAmzDate(amzDate)
  if (signedAt === undefined) throw argument('X-Amz-Date must be formated via ISO8601 Long format', 'X-Amz-Date', amzDate)
  // "It is the same date you used in creating the signing key" (sigv4-HTTPPOSTForms).
  if (amzDate.slice(0, 8) !== scope.day) throw argument('Invalid credential date. Date is not the same as X-Amz-Date.', 'X-Amz-Date', amzDate)
  const principal = principalFor(state, scope.accessKeyId)

  checkSignature(principal, scope, policy, signature, { StringToSignBytes: [...Buffer.from(policy, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0')).join(' ') })
  // No expiry here: the policy's `expiration` is the form's lifetime. s3:signatureAge still reaches IAM.
  const auth: Auth = { principal, type: 'POST', signedHeaders: new Set(), signatureAgeMs: state.now() - signedAt }
  return { auth, policy }
}
