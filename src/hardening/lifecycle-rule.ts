import type { LifecycleRule } from '@aws-sdk/client-s3'
import { assertPrefix } from '../key/key.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'

interface RuleOptions {
  /** Where the rule applies: '' or a prefix ending in '/'. */
  prefix: string
  /** Days after which it acts. */
  days?: number
  /** The rule's ID in the bucket's lifecycle configuration. */
  id?: string
}

function ruleOptions(name: string, options: RuleOptions, defaultDays: number): { prefix: string; days: number } {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, `${name} needs { prefix, days? }`)
  const prefix = assertPrefix(options.prefix, 'prefix')
  const days = options.days ?? defaultDays
  if (!isPositiveInteger(days)) invalid('INVALID_CONFIG', 'days', days, 'it must be a whole number of days, at least 1')
  return { prefix, days }
}

/**
 * An S3 lifecycle rule that expires whatever is left under the quarantine prefix after `days`:
 * uploads that were never completed, and copies a failed promotion left behind. Also aborts
 * incomplete multipart uploads there. Apply it with PutBucketLifecycleConfiguration.
 * @example
 * await s3.send(new PutBucketLifecycleConfigurationCommand({
 *   Bucket, LifecycleConfiguration: { Rules: [quarantineLifecycleRule({ prefix: 'quarantine/', days: 1 })] },
 * }))
 */
export function quarantineLifecycleRule(options: RuleOptions): LifecycleRule {
  const { prefix, days } = ruleOptions('quarantineLifecycleRule', options, 1)
  if (prefix === '') invalid('INVALID_CONFIG', 'prefix', prefix, 'an empty prefix would expire the whole bucket')
  return {
    ID: options.id ?? 'safe-presign-quarantine-expiry',
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    Expiration: { Days: days },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  }
}

/**
 * An S3 lifecycle rule that aborts multipart uploads still incomplete `days` after they began, under
 * `prefix` ('' for the whole bucket: it only ever drops parts of unfinished uploads, never an object).
 * S3 bills the parts of an upload nobody completes until it is aborted; this is S3's own backstop for
 * `sweepMultipart()`. Choose `days` beyond `multipart.expiresIn`, or live uploads are cut short.
 * @example
 * Rules: [multipartLifecycleRule({ prefix: 'uploads/', days: 2 })]
 */
export function multipartLifecycleRule(options: RuleOptions): LifecycleRule {
  const { prefix, days } = ruleOptions('multipartLifecycleRule', options, 2)
  return {
    ID: options.id ?? 'safe-presign-abort-incomplete-multipart',
    Status: 'Enabled',
    Filter: { Prefix: prefix },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: days },
  }
}
