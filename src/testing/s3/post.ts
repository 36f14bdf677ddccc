// POST Object: a browser form upload authorized by a signed POST policy.
import type { Ctx, S3Response } from './context.js'
import { errors } from './errors.js'

export function postObject(_ctx: Ctx): Promise<S3Response> {
  throw errors.notImplemented('POST Object is not implemented by the test S3 yet')
}
