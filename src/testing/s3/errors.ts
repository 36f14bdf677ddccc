// S3's errors as the test S3 answers them: the status and code AWS documents for each, in S3's
// error XML. Handlers throw S3Error; the router turns it into the response.

export class S3Error extends Error {
  readonly status: number
  readonly code: string
  /** Extra elements of the error XML (e.g. HeadersNotSigned, Condition), S3's own names. */
  readonly extra: Record<string, string>
  constructor(status: number, code: string, message: string, extra: Record<string, string> = {}) {
    super(message)
    this.name = 'S3Error'
    this.status = status
    this.code = code
    this.extra = extra
  }
}

// The errors more than one handler raises, with AWS's messages.
export const errors = {
  accessDenied: (message = 'Access Denied', extra?: Record<string, string>) => new S3Error(403, 'AccessDenied', message, extra),
  noSuchBucket: (bucket: string) => new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string) => new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId }),
  preconditionFailed: (condition: string) => new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: condition }),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new S3Error(400, 'InvalidArgument', message, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' }),
  invalidRequest: (message: string) => new S3Error(400, 'InvalidRequest', message),
  malformedXml: () => new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema'),
  notImplemented: (message = 'A header you provided implies functionality that is not implemented') => new S3Error(501, 'NotImplemented', message),
  badDigest: (message = 'The Content-MD5 you specified did not match what we received.') => new S3Error(400, 'BadDigest', message),
  entityTooLarge: (size: number, max: number) =>
    new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: String(size), MaxSizeAllowed: String(max) }),
  entityTooSmall: (size: number, min: number) =>
    new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: String(size), MinSizeAllowed: String(min) }),
  aclNotSupported: () => new S3Error(400, 'AccessControlListNotSupported', 'The bucket does not allow ACLs'),
}

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
export { escapeXml }

export function errorXml(error: S3Error, resource: string, requestId: string): string {
  const extra = Object.entries(error.extra).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
}
