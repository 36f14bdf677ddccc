// What the bucket and CORS tests of the test S3 share: the outcome of an SDK call as [status, code],
// and a client that sends a document of the test's choosing (the SDK only serializes valid ones),
// still signed and with its Content-MD5, so the server's validation is what refuses it.
import { createHash } from 'node:crypto'
import type { S3Client } from '@aws-sdk/client-s3'
import type { TestS3 } from '../../../../src/testing/s3/index.js'

/** [HTTP status, S3 error code or 'ok'] of an SDK call. */
export async function outcome(call: Promise<{ $metadata: { httpStatusCode?: number } }>): Promise<[number | undefined, string]> {
  try {
    return [(await call).$metadata.httpStatusCode, 'ok']
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } }
    return [e.$metadata?.httpStatusCode, e.name]
  }
}

type Next = (args: { request: unknown }) => Promise<unknown>
// The SDK's middleware types live in @smithy/types, a dependency of the client, not of this package.
const before = (client: S3Client, name: string, change: (request: never) => void) =>
  client.middlewareStack.addRelativeTo(((next: Next) => async (args: { request: unknown }) => {
    change(args.request as never)
    return next(args)
  }) as never, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name, override: true })

const DIGESTS = /^(content-md5|x-amz-checksum-.*|x-amz-sdk-checksum-algorithm|x-amz-content-sha256)$/i

/**
 * A client whose requests carry `body` instead of what the command serialized, signed as usual.
 * `md5`: send the body's Content-MD5 (the default), a given value, or none (no digest at all).
 */
export function rawClient(s3: TestS3, body: string, md5: boolean | string = true): S3Client {
  const client = s3.client()
  before(client, 'rawBody', (request: { body: unknown; headers: Record<string, string> }) => {
    request.body = body
    for (const name of Object.keys(request.headers)) if (DIGESTS.test(name)) delete request.headers[name]
    request.headers['content-length'] = String(Buffer.byteLength(body))
    if (md5 !== false) request.headers['content-md5'] = md5 === true ? createHash('md5').update(body).digest('base64') : md5
  })
  return client
}

/** A client whose requests are changed by `edit` (method, query, headers) before they are signed. */
export function editedClient(s3: TestS3, edit: (request: { method: string; query: Record<string, string | null>; headers: Record<string, string> }) => void): S3Client {
  const client = s3.client()
  before(client, 'editRequest', edit)
  return client
}
