import { SafePresignError } from '../errors.js'

/**
 * A URL signed with temporary credentials stops working when they expire, whatever its
 * X-Amz-Expires says. We sign the shorter lifetime, so that `expiresAt` is the truth, and refuse
 * (CREDENTIALS_EXPIRING) when less than a second would remain.
 */
export function clampToCredentials(expiresIn: number, expiration: Date | undefined, now: Date): number {
  if (!expiration) return expiresIn
  const remaining = Math.floor((expiration.getTime() - now.getTime()) / 1000)
  if (remaining >= expiresIn) return expiresIn
  if (remaining < 1) {
    throw new SafePresignError(
      'CREDENTIALS_EXPIRING',
      `the signing credentials expire at ${expiration.toISOString()}, before a ${expiresIn} s grant could be used`,
      { details: { option: 'credentials', expiration: expiration.toISOString(), expiresIn } },
    )
  }
  return remaining
}

/** X-Amz-Date has whole seconds: validity ends at the signing second plus the lifetime (ms). */
export function validUntil(signingDate: Date, expiresIn: number): number {
  return Math.floor(signingDate.getTime() / 1000) * 1000 + expiresIn * 1000
}
