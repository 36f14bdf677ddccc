import type { S3Client } from '@aws-sdk/client-s3'
import type { EventHandler } from '../events.js'
import { assertPrefix } from '../key/key.js'
import { DEFAULT_DOWNLOAD_EXPIRY_SECONDS, DEFAULT_TICKET_TTL_SECONDS } from '../limits.js'
import type { OwnershipStore, UploadRecord } from '../stores/types.js'
import { invalid } from '../_internal/validate.js'
import { checkBucket, checkClient, checkFunction, checkLifetime, checkStore } from './common.js'

export interface SafeDownloadConfig {
  /** Your S3Client. Signs the links unless `signer` is given. */
  client: S3Client
  /**
   * The S3Client whose credentials sign every download link: give it a role that may only
   * `s3:GetObject` on the committed prefix (`signerPolicy({ role: 'download' })`), so that a link can
   * never be more than a read of one committed object. @default client
   */
  signer?: S3Client
  bucket: string
  /** Records who owns each key (the same store the upload builder writes). */
  store: OwnershipStore
  /** Keys must start with this prefix; others get INVALID_KEY. @default 'uploads/' */
  keyPrefix?: string
  /** The cap on a link's lifetime in seconds; a request may ask for less. @default 60 */
  expiresIn?: number
  /** How long an unredeemed single-use ticket stays valid, in seconds (the default and the cap). @default 300 */
  ticketTtl?: number
  /**
   * Allows a requester who is not the owner (an admin, a shared folder). Called only when the
   * requester is not the owner; anything but `true` denies.
   * @default undefined (owners only)
   */
  authorize?: (record: Readonly<UploadRecord>, requester: string) => boolean | Promise<boolean>
  /** Receives audit events. A throwing hook never changes a decision. */
  onEvent?: EventHandler
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number
}

export interface ResolvedDownloadConfig {
  client: S3Client
  /** Signs the links: `signer`, or `client` when none was given. */
  signer: S3Client
  bucket: string
  store: OwnershipStore
  keyPrefix: string
  expiresIn: number
  ticketTtl: number
  authorize: SafeDownloadConfig['authorize']
  onEvent: EventHandler | undefined
  now: () => number
}

export function resolveDownloadConfig(config: SafeDownloadConfig): ResolvedDownloadConfig {
  if (typeof config !== 'object' || config === null) invalid('INVALID_CONFIG', 'config', config, 'createSafeDownload needs an options object')
  const expiresIn = checkLifetime('expiresIn', config.expiresIn ?? DEFAULT_DOWNLOAD_EXPIRY_SECONDS)
  const ticketTtl = checkLifetime('ticketTtl', config.ticketTtl ?? DEFAULT_TICKET_TTL_SECONDS)
  if (config.authorize !== undefined) checkFunction(config.authorize, 'authorize')
  if (config.onEvent !== undefined) checkFunction(config.onEvent, 'onEvent')
  if (config.now !== undefined) checkFunction(config.now, 'now')
  const client = checkClient(config.client)
  return {
    client,
    signer: config.signer === undefined ? client : checkClient(config.signer, 'signer'),
    bucket: checkBucket(config.bucket),
    store: checkStore(config.store, ['get', 'getMany', 'putTicket', 'consumeTicket']),
    keyPrefix: assertPrefix(config.keyPrefix ?? 'uploads/', 'keyPrefix'),
    expiresIn,
    ticketTtl,
    authorize: config.authorize,
    onEvent: config.onEvent,
    now: config.now ?? Date.now,
  }
}
