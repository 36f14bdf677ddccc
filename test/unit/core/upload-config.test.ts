// Every way a builder config can be wrong throws INVALID_CONFIG when the builder is created (or, for
// what only a request reveals, at the first presign), and the message names the option, the value
// and the limit.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { createSafeDownload, type SafeDownloadConfig } from '../../../src/download.js'
import { MAX_PRESIGNED_EXPIRY_SECONDS, MAX_PUT_SIZE_BYTES } from '../../../src/limits.js'
import { memoryStore } from '../../../src/stores/memory.js'
import { createSafeUpload, type SafeUploadConfig } from '../../../src/upload.js'
import { failure, ID, s3Client, T, thrown } from '../core/fixtures.js'

const client = s3Client()
const store = memoryStore()
const base: SafeUploadConfig = { client, bucket: 'photos-bucket', store, allowedContentTypes: ['image/png'], maxSize: 1_000_000 }

function withoutMethods(...names: string[]) {
  const s = memoryStore() as unknown as Record<string, unknown>
  return Object.fromEntries(Object.entries(s).filter(([k]) => !names.includes(k)))
}

interface Case {
  name: string
  config: Record<string, unknown>
  option: string
  /** Substrings the message must contain: the option, the value, the limit or rule. */
  says: string[]
  limit?: number
}

const GiB5 = String(MAX_PUT_SIZE_BYTES)
/** POST and overwrite need it; cases about another option carry it, so that option is the one refused. */
const quarantine = { prefix: 'quarantine/' }

const cases: Case[] = [
  // method
  { name: 'method GET', config: { method: 'GET' }, option: 'method', says: ['`method`', '"GET"', '"PUT" or "POST"'] },
  { name: 'method put (lower-case)', config: { method: 'put' }, option: 'method', says: ['`method`', '"put"'] },
  // A grant that can write twice must land in quarantine: a replay after complete() would replace the
  // verified object (observed on RGW: test/integration/s3/lifecycle.test.ts).
  { name: 'method POST without quarantine', config: { method: 'POST' }, option: 'method', says: ['`method`', '"POST"', 'replayed', 'create-once', '`quarantine: { prefix }`'] },
  { name: 'method POST with quarantine undefined', config: { method: 'POST', quarantine: undefined }, option: 'method', says: ['`method`', '"POST"', '`quarantine: { prefix }`'] },
  { name: 'overwrite true without quarantine', config: { overwrite: true }, option: 'overwrite', says: ['`overwrite`', 'true', 'verified object', '`quarantine: { prefix }`'] },
  { name: 'method POST and overwrite true without quarantine', config: { method: 'POST', overwrite: true }, option: 'method', says: ['`method`', '"POST"', 'quarantine'] },
  { name: 'method POST with an invalid quarantine', config: { method: 'POST', quarantine: { prefix: 'q' } }, option: 'quarantine.prefix', says: ['`quarantine.prefix`', '"q"'] },
  // keyPrefix
  { name: 'keyPrefix a number', config: { keyPrefix: 42 }, option: 'keyPrefix', says: ['`keyPrefix`', '42', 'string or a function'] },
  { name: 'keyPrefix with a leading slash', config: { keyPrefix: '/a/' }, option: 'keyPrefix', says: ['`keyPrefix`', '"/a/"', 'must not start with "/"'] },
  { name: 'keyPrefix without a trailing slash', config: { keyPrefix: 'a' }, option: 'keyPrefix', says: ['`keyPrefix`', '"a"', 'must end with "/"'] },
  { name: 'keyPrefix with ..', config: { keyPrefix: 'a/../' }, option: 'keyPrefix', says: ['"a/../"', '".."'] },
  { name: 'keyPrefix that is ../', config: { keyPrefix: '../' }, option: 'keyPrefix', says: ['"../"', '".."'] },
  { name: 'keyPrefix with .', config: { keyPrefix: 'a/./b/' }, option: 'keyPrefix', says: ['"a/./b/"', '"."'] },
  { name: 'keyPrefix with an empty segment', config: { keyPrefix: 'a//b/' }, option: 'keyPrefix', says: ['"a//b/"', 'empty'] },
  { name: 'keyPrefix with NUL', config: { keyPrefix: 'a\u0000/' }, option: 'keyPrefix', says: ['"a\\u0000/"', 'control characters'] },
  { name: 'keyPrefix with a newline', config: { keyPrefix: 'a\n/' }, option: 'keyPrefix', says: ['"a\\n/"', 'control characters'] },
  { name: 'keyPrefix with DEL', config: { keyPrefix: 'a\u007f/' }, option: 'keyPrefix', says: ['`keyPrefix`', 'control characters'] },
  { name: 'keyPrefix with U+2028', config: { keyPrefix: 'a\u2028/' }, option: 'keyPrefix', says: ['`keyPrefix`', 'control characters'] },
  { name: 'keyPrefix not NFC', config: { keyPrefix: 'cafe\u0301/' }, option: 'keyPrefix', says: ['`keyPrefix`', 'NFC'] },
  // A lone surrogate has no UTF-8 form: URL encoding throws (a URIError from every presign) and
  // stores that encode it as U+FFFD would merge it with another key.
  { name: 'keyPrefix with a lone surrogate', config: { keyPrefix: 'users/\ud800/' }, option: 'keyPrefix', says: ['`keyPrefix`', 'lone UTF-16 surrogate'] },
  { name: 'quarantine.prefix with a lone surrogate', config: { quarantine: { prefix: 'q\udfff/' } }, option: 'quarantine.prefix', says: ['`quarantine.prefix`', 'lone UTF-16 surrogate'] },
  { name: 'keyPrefix of 961 bytes', config: { keyPrefix: `${'x'.repeat(960)}/` }, option: 'keyPrefix', says: ['`keyPrefix`', '961 bytes', 'maximum is 960'] },
  // maxSize
  ...[0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000', undefined, null].map((maxSize) => ({
    name: `maxSize ${String(maxSize)}`,
    config: { maxSize },
    option: 'maxSize',
    says: ['`maxSize`', 'whole number of bytes above 0'],
  })),
  { name: 'maxSize 5 GiB + 1', config: { maxSize: MAX_PUT_SIZE_BYTES + 1 }, option: 'maxSize', says: ['`maxSize`', String(MAX_PUT_SIZE_BYTES + 1), GiB5, '5 GiB'], limit: MAX_PUT_SIZE_BYTES },
  { name: 'maxSize 5 GiB + 1 on POST', config: { maxSize: MAX_PUT_SIZE_BYTES + 1, method: 'POST', quarantine }, option: 'maxSize', says: ['POST', GiB5], limit: MAX_PUT_SIZE_BYTES },
  // expiresIn
  ...[0, -5, 1.5, '300'].map((expiresIn) => ({ name: `expiresIn ${JSON.stringify(expiresIn)}`, config: { expiresIn }, option: 'expiresIn', says: ['`expiresIn`', 'whole number of seconds above 0'] })),
  { name: 'expiresIn 604801', config: { expiresIn: 604_801 }, option: 'expiresIn', says: ['`expiresIn`', '604801', '604800 s'], limit: MAX_PRESIGNED_EXPIRY_SECONDS },
  // checksum
  { name: 'checksum crc32', config: { checksum: 'crc32' }, option: 'checksum', says: ['`checksum`', '"crc32"', '"md5", "sha256" or false'] },
  { name: 'checksum true', config: { checksum: true }, option: 'checksum', says: ['`checksum`', 'true'] },
  { name: 'checksum SHA256 (upper-case)', config: { checksum: 'SHA256' }, option: 'checksum', says: ['"SHA256"'] },
  { name: 'checksum md5 with POST', config: { checksum: 'md5', method: 'POST', quarantine }, option: 'checksum', says: ['`checksum`', '"md5"', 'method "PUT"'] },
  { name: 'checksum sha256 with POST', config: { checksum: 'sha256', method: 'POST', quarantine }, option: 'checksum', says: ['"sha256"', 'method "PUT"'] },
  // overwrite, pendingTtl, unsniffable
  { name: 'overwrite "yes"', config: { overwrite: 'yes' }, option: 'overwrite', says: ['`overwrite`', '"yes"', 'boolean'] },
  { name: 'overwrite 1', config: { overwrite: 1 }, option: 'overwrite', says: ['`overwrite`', '1'] },
  ...[0, 1.5, -1].map((pendingTtl) => ({ name: `pendingTtl ${pendingTtl}`, config: { pendingTtl }, option: 'pendingTtl', says: ['`pendingTtl`', String(pendingTtl), 'whole number'] })),
  { name: 'unsniffable allow', config: { unsniffable: 'allow' }, option: 'unsniffable', says: ['`unsniffable`', '"allow"', '"reject" or "flag"'] },
  // quarantine
  { name: 'quarantine null', config: { quarantine: null }, option: 'quarantine', says: ['`quarantine`', 'null', '{ prefix'] },
  { name: 'quarantine a string', config: { quarantine: 'quarantine/' }, option: 'quarantine', says: ['`quarantine`', '"quarantine/"'] },
  { name: 'quarantine.prefix without a slash', config: { quarantine: { prefix: 'q' } }, option: 'quarantine.prefix', says: ['`quarantine.prefix`', '"q"', 'end with "/"'] },
  { name: 'quarantine.prefix missing', config: { quarantine: {} }, option: 'quarantine.prefix', says: ['`quarantine.prefix`'] },
  { name: 'quarantine.prefix empty', config: { quarantine: { prefix: '' } }, option: 'quarantine.prefix', says: ['`quarantine.prefix`', '""', 'must not be empty'] },
  { name: 'quarantine.prefix with ..', config: { quarantine: { prefix: 'q/../' } }, option: 'quarantine.prefix', says: ['"q/../"', '".."'] },
  { name: 'quarantine inside keyPrefix', config: { quarantine: { prefix: 'uploads/q/' } }, option: 'quarantine.prefix', says: ['"uploads/q/"', 'overlap', '"uploads/"'] },
  { name: 'keyPrefix inside quarantine', config: { keyPrefix: 'q/final/', quarantine: { prefix: 'q/' } }, option: 'quarantine.prefix', says: ['"q/"', 'overlap', '"q/final/"'] },
  { name: 'quarantine equal to keyPrefix', config: { quarantine: { prefix: 'uploads/' } }, option: 'quarantine.prefix', says: ['"uploads/"', 'overlap'] },
  { name: 'quarantine with keyPrefix ""', config: { keyPrefix: '', quarantine: { prefix: 'q/' } }, option: 'quarantine.prefix', says: ['"q/"', 'overlap', '""'] },
  { name: 'quarantine.scan a string', config: { quarantine: { prefix: 'q/', scan: 'clamav' } }, option: 'quarantine.scan', says: ['`quarantine.scan`', '"clamav"', 'function'] },
  ...[0, 2.5, -1].map((scanTimeoutMs) => ({
    name: `quarantine.scanTimeoutMs ${scanTimeoutMs}`,
    config: { quarantine: { prefix: 'q/', scanTimeoutMs } },
    option: 'quarantine.scanTimeoutMs',
    says: ['`quarantine.scanTimeoutMs`', String(scanTimeoutMs), 'ms above 0'],
  })),
  // hooks
  ...(['onEvent', 'now', 'generateId'] as const).map((option) => ({ name: `${option} not a function`, config: { [option]: 'x' }, option, says: [`\`${option}\``, '"x"', 'function'] })),
  // allowedContentTypes
  { name: 'allowedContentTypes []', config: { allowedContentTypes: [] }, option: 'allowedContentTypes', says: ['`allowedContentTypes`', '[]', 'non-empty'] },
  { name: 'allowedContentTypes missing', config: { allowedContentTypes: undefined }, option: 'allowedContentTypes', says: ['`allowedContentTypes`', 'non-empty'] },
  { name: 'allowedContentTypes a string', config: { allowedContentTypes: 'image/png' }, option: 'allowedContentTypes', says: ['"image/png"', 'array'] },
  ...['*/*', '*', '*/png', 'image/png; charset=x', 'image', 'image/', '/png', 'image/png/x', 'image/ png', 'imäge/png', ''].map((entry) => ({
    name: `allowedContentTypes [${JSON.stringify(entry)}]`,
    config: { allowedContentTypes: ['image/png', entry] },
    option: 'allowedContentTypes',
    says: ['`allowedContentTypes`', JSON.stringify(entry), '"*/*" (any content type) is refused'],
  })),
  { name: 'allowedContentTypes [42]', config: { allowedContentTypes: [42] }, option: 'allowedContentTypes', says: ['`allowedContentTypes`', '42'] },
  // bucket
  ...['ab', 'A-bucket', 'my_bucket', '-abc', 'abc-', '.abc', 'abc.', 'a..b', 'a.-b'.replace('.-', '..'), '192.168.1.1', 'xn--bucket', 'photos-s3alias', 'a'.repeat(64), 'white space', ''].map((bucket) => ({
    name: `bucket ${JSON.stringify(bucket)}`,
    config: { bucket },
    option: 'bucket',
    says: ['`bucket`', JSON.stringify(bucket), '3-63 lower-case letters'],
  })),
  { name: 'bucket 42', config: { bucket: 42 }, option: 'bucket', says: ['`bucket`', '42'] },
  { name: 'bucket missing', config: { bucket: undefined }, option: 'bucket', says: ['`bucket`', 'undefined'] },
  // store
  { name: 'store missing', config: { store: undefined }, option: 'store', says: ['`store`', 'missing: create, get, transition, delete'] },
  { name: 'store {}', config: { store: {} }, option: 'store', says: ['`store`', 'OwnershipStore', 'missing: create, get, transition, delete'] },
  { name: 'store without transition and delete', config: { store: withoutMethods('transition', 'delete') }, option: 'store', says: ['missing: transition, delete'] },
  { name: 'store whose create is not a function', config: { store: { ...memoryStore(), create: true } }, option: 'store', says: ['missing: create'] },
  // client
  { name: 'client missing', config: { client: undefined }, option: 'client', says: ['`client`', 'S3Client'] },
  { name: 'client {}', config: { client: {} }, option: 'client', says: ['`client`', 'not an S3Client', '@aws-sdk/client-s3'] },
  { name: 'client with send but no credentials', config: { client: { send: () => {}, config: {} } }, option: 'client', says: ['not an S3Client'] },
  { name: 'client a DynamoDBClient', config: { client: new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }) }, option: 'client', says: ['not an S3Client'] },
  { name: 'client a URL string', config: { client: 'https://s3.amazonaws.com' }, option: 'client', says: ['not an S3Client'] },
]

describe('createSafeUpload: INVALID_CONFIG at creation', () => {
  it.each(cases)('$name', ({ config, option, says, limit }) => {
    const error = thrown(() => createSafeUpload({ ...base, ...config } as SafeUploadConfig))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    for (const s of says) expect(error.message).toContain(s)
    if (limit !== undefined) expect(error.details?.limit).toBe(limit)
  })

  it.each([null, undefined, 'config', 42])('config %s', (config) => {
    const error = thrown(() => createSafeUpload(config as never))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.message).toContain('`config`')
    expect(error.message).toContain('options object')
  })

  it('accepts the limits themselves: 5 GiB, 604800 s, a 960-byte prefix', () => {
    const upload = createSafeUpload({ ...base, maxSize: MAX_PUT_SIZE_BYTES, expiresIn: MAX_PRESIGNED_EXPIRY_SECONDS, keyPrefix: `${'x'.repeat(959)}/` })
    expect(upload.config.maxSize).toBe(MAX_PUT_SIZE_BYTES)
    expect(upload.config.expiresIn).toBe(MAX_PRESIGNED_EXPIRY_SECONDS)
  })

  it('has secure defaults: PUT, 300 s, create-once, no checksum, uploads/, extension from type, reject unsniffable', () => {
    const { method, expiresIn, overwrite, checksum, keyPrefix, keyExtension, unsniffable, pendingTtl, quarantine } = createSafeUpload(base).config
    expect({ method, expiresIn, overwrite, checksum, keyPrefix, keyExtension, unsniffable, pendingTtl, quarantine }).toEqual({
      method: 'PUT',
      expiresIn: 300,
      overwrite: false,
      checksum: false,
      keyPrefix: 'uploads/',
      keyExtension: true,
      unsniffable: 'reject',
      pendingTtl: 3600,
      quarantine: undefined,
    })
  })

  it.each([
    { name: 'method POST', config: { method: 'POST' as const } },
    { name: 'overwrite true', config: { overwrite: true } },
    { name: 'method POST, a custom keyPrefix and a scan hook', config: { method: 'POST' as const, keyPrefix: 'files/', quarantine: { prefix: 'staging/', scan: () => 'clean' as const } } },
  ])('accepts $name with quarantine, and keeps it', ({ config }) => {
    const upload = createSafeUpload({ ...base, quarantine, ...config })
    expect(upload.config.method).toBe(config.method ?? 'PUT')
    expect(upload.config.overwrite).toBe(config.overwrite ?? false)
    expect(upload.config.quarantine?.prefix).toBe(config.quarantine?.prefix ?? 'quarantine/')
  })

  it('overwrite false needs no quarantine', () => {
    expect(createSafeUpload({ ...base, overwrite: false }).config).toMatchObject({ overwrite: false, quarantine: undefined })
  })

  it('normalizes allowlist entries (case, whitespace) and keeps wildcards', () => {
    const upload = createSafeUpload({ ...base, allowedContentTypes: [' Image/PNG ', 'video/*'] })
    expect(upload.config.allowlist.entries).toEqual(['image/png', 'video/*'])
  })
})

describe('createSafeUpload: INVALID_CONFIG that only a request reveals (key.ts)', () => {
  const request = { owner: 'alice', contentType: 'image/png', size: 10 }

  it.each(['not-a-uuid', ID.toUpperCase(), '3b241101-e2bb-1255-8caf-4136c566a962', `${ID}/..`, `../${ID}`, ''])('generateId returning %j', async (id) => {
    const s = memoryStore()
    const error = await failure(createSafeUpload({ ...base, store: s, generateId: () => id }).presign(request))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe('generateId')
    expect(error.message).toContain(JSON.stringify(id))
    expect(error.message).toContain('lower-case UUIDv4')
  })

  it.each([
    { prefix: '../', says: '".."' },
    { prefix: 'users/alice', says: 'must end with "/"' },
    { prefix: '/users/alice/', says: 'must not start with "/"' },
    { prefix: 'users//', says: 'empty' },
    { prefix: 'users/\r\n/', says: 'control characters' },
  ])('a keyPrefix function returning $prefix', async ({ prefix, says }) => {
    const error = await failure(createSafeUpload({ ...base, keyPrefix: () => prefix }).presign(request))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe('keyPrefix')
    expect(error.message).toContain(JSON.stringify(prefix))
    expect(error.message).toContain(says)
  })

  it('a generateId that repeats itself: the second grant is refused, the first owner is kept', async () => {
    const s = memoryStore()
    const upload = createSafeUpload({ ...base, store: s, generateId: () => ID, now: () => T })
    await upload.presign({ ...request, owner: 'alice' })
    const error = await failure(upload.presign({ ...request, owner: 'mallory' }))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe('generateId')
    expect(error.message).toContain(`uploads/${ID}.png`)
    expect((await s.get(`uploads/${ID}.png`, T))?.owner).toBe('alice')
  })

  it('a bucket that needs S3 Express (sigv4-s3express) is refused at the first grant', async () => {
    const error = await failure(createSafeUpload({ ...base, bucket: 'photos--euw1-az1--x-s3' }).presign(request))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe('bucket')
    expect(error.message).toContain('"photos--euw1-az1--x-s3"')
    expect(error.message).toContain('SigV4 only')
  })
})

describe('createSafeDownload: INVALID_CONFIG at creation', () => {
  const downloadBase: SafeDownloadConfig = { client, bucket: 'photos-bucket', store }
  const downloadCases: Case[] = [
    { name: 'expiresIn 0', config: { expiresIn: 0 }, option: 'expiresIn', says: ['`expiresIn`', '0', 'above 0'] },
    { name: 'expiresIn 604801', config: { expiresIn: 604_801 }, option: 'expiresIn', says: ['604801', '604800 s'], limit: MAX_PRESIGNED_EXPIRY_SECONDS },
    { name: 'ticketTtl 1.5', config: { ticketTtl: 1.5 }, option: 'ticketTtl', says: ['`ticketTtl`', '1.5'] },
    { name: 'ticketTtl 604801', config: { ticketTtl: 604_801 }, option: 'ticketTtl', says: ['`ticketTtl`', '604801', '604800'], limit: MAX_PRESIGNED_EXPIRY_SECONDS },
    { name: 'authorize true', config: { authorize: true }, option: 'authorize', says: ['`authorize`', 'true', 'function'] },
    { name: 'onEvent a string', config: { onEvent: 'log' }, option: 'onEvent', says: ['`onEvent`', '"log"'] },
    { name: 'now a number', config: { now: 5 }, option: 'now', says: ['`now`', '5'] },
    { name: 'keyPrefix without a slash', config: { keyPrefix: 'uploads' }, option: 'keyPrefix', says: ['"uploads"', 'end with "/"'] },
    { name: 'store without consumeTicket', config: { store: withoutMethods('consumeTicket') }, option: 'store', says: ['missing: consumeTicket'] },
    { name: 'store without getMany and putTicket', config: { store: withoutMethods('getMany', 'putTicket') }, option: 'store', says: ['missing: getMany, putTicket'] },
    { name: 'bucket Photos', config: { bucket: 'Photos' }, option: 'bucket', says: ['"Photos"'] },
    { name: 'client a DynamoDBClient', config: { client: new DynamoDBClient({ region: 'eu-west-1' }) }, option: 'client', says: ['not an S3Client'] },
  ]

  it.each(downloadCases)('$name', ({ config, option, says, limit }) => {
    const error = thrown(() => createSafeDownload({ ...downloadBase, ...config } as SafeDownloadConfig))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    for (const s of says) expect(error.message).toContain(s)
    if (limit !== undefined) expect(error.details?.limit).toBe(limit)
  })

  it('has secure defaults: 60 s links, 300 s tickets, uploads/, owners only', () => {
    const { expiresIn, ticketTtl, keyPrefix, authorize } = createSafeDownload(downloadBase).config
    expect({ expiresIn, ticketTtl, keyPrefix, authorize }).toEqual({ expiresIn: 60, ticketTtl: 300, keyPrefix: 'uploads/', authorize: undefined })
  })
})
