// safe-presign/uppy: options for @uppy/aws-s3 that take every URL from the safe-presign handler and
// finish each file with the handler's completion. Imports nothing from Uppy at runtime.
import { SafePresignError } from '../errors.js'
import type { UppyAdapterOptions } from './session.js'
import { uppy5Options, type Uppy5Options } from './v5.js'
import { uppy6Options, type Uppy6Options } from './v6.js'

export { uppy5Options, type Uppy5Options } from './v5.js'
export { uppy6Options, type Uppy6Options, type SignableRequest, type SignedRequest } from './v6.js'
export type { UppyAdapterOptions, UppyFileLike, UppyLike } from './session.js'
export type { Completion, GrantWire, HandlerFailure } from './protocol.js'
export { sha256Base64, type DigestFn } from './digest.js'

/**
 * The Uppy major `uppy` is, from `@uppy/core`'s `Uppy.VERSION` (the @uppy/aws-s3 major must match it:
 * each aws-s3 major peers on the same core major). Undefined when it cannot tell.
 */
export function uppyMajor(uppy: unknown): 5 | 6 | undefined {
  const version = (uppy as { constructor?: { VERSION?: unknown } } | null)?.constructor?.VERSION
  const major = typeof version === 'string' ? Number(version.split('.')[0]) : NaN
  return major === 5 || major === 6 ? major : undefined
}

/**
 * Options for `uppy.use(AwsS3, …)`, for the Uppy major of `uppy` (5 or 6, from `Uppy.VERSION`).
 * Throws INVALID_CONFIG for any other; call `uppy5Options` or `uppy6Options` to choose yourself.
 * @example uppy.use(AwsS3, uppyOptions({ uppy, endpoint: '/uploads' }))
 */
export function uppyOptions(options: UppyAdapterOptions): Uppy5Options | Uppy6Options {
  const major = uppyMajor(options?.uppy)
  if (major === 5) return uppy5Options(options)
  if (major === 6) return uppy6Options(options)
  const version = (options?.uppy as { constructor?: { VERSION?: unknown } } | undefined)?.constructor?.VERSION
  throw new SafePresignError('INVALID_CONFIG', `\`uppy\` is Uppy ${String(version)}; uppyOptions() knows Uppy 5 and 6: call uppy5Options() or uppy6Options()`)
}
