// Presigned URLs are bearer tokens. Anything that may reach a log, an error or an audit event
// goes through here first: signature, credential and session-token parameters (query or POST
// field form, any case) lose their values.
const SECRET_PARAMS = /((?:X-Amz-(?:Signature|Credential|Security-Token))|(?:x-amz-(?:signature|credential|security-token)))(["']?\s*[=:]\s*["']?)([^&\s"',}]+)/gi

export function redact(text: string): string {
  return text.replace(SECRET_PARAMS, '$1$2[REDACTED]')
}
