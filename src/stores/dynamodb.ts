/**
 * `safe-presign/stores/dynamodb`: the ownership store on one DynamoDB table, through a
 * DynamoDBDocumentClient the caller built. Every write is one conditional request, except that a
 * pending record also takes (and later frees) a slot in its owner's quota item (dynamodb-quota.ts);
 * reads are strongly consistent; each call is bounded by `timeoutMs`. See docs/stores/dynamodb.md.
 */
import { CreateTableCommand, UpdateTimeToLiveCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { checkTimeoutMs, storeUnavailable, withDeadline } from '../_internal/deadline.js'
import { SafePresignError } from '../errors.js'
import {
  checkTableName,
  isLive,
  RECORD_PREFIX,
  recordItem,
  tableDefinition,
  TICKET_PREFIX,
  ticketItem,
  toRecord,
  toTicket,
  TTL_ATTRIBUTE,
  ttlOf,
  type DynamoTableDefinition,
  type Item,
} from './dynamodb-items.js'
import { newSlot, OWNER_PREFIX, ownerQuota, SLOT_ATTRIBUTE } from './dynamodb-quota.js'
import { openUntil, quotaOf } from './quota.js'
import type { ConsumeResult, CreateOptions, CreateResult, OwnershipStore, RecordPatch, TicketRecord, UploadRecord, UploadState } from './types.js'

export type { DynamoTableDefinition } from './dynamodb-items.js'

export interface DynamoDBStoreOptions {
  /** The document client to send through (its retry settings apply within `timeoutMs`). */
  client: DynamoDBDocumentClient
  /** The table; create it with `createTable()` or from `tableDefinition()`. */
  tableName: string
  /** Upper bound for each operation, retries included; past it the call rejects with STORE_UNAVAILABLE. @default 2000 */
  timeoutMs?: number
}

export interface DynamoDBStore extends OwnershipStore {
  /**
   * Creates the table (on-demand billing) if missing, waits until it is active, and enables TTL on `ttl`.
   * Sends through `client`, e.g. one with admin credentials. @default the store's own client
   */
  createTable(client?: DynamoDBClient | DynamoDBDocumentClient): Promise<void>
  /** The table as `createTable()` makes it, for CloudFormation, CDK or Terraform. */
  tableDefinition(): DynamoTableDefinition
}

const STORE = 'dynamodbStore'
/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_MAX = 100
const BATCH_GET_ATTEMPTS = 8
const SWEEP_PARALLEL_DELETES = 16
/** How often create may find its owner's quota item changed under it before it gives up. */
const CLAIM_ATTEMPTS = 5

const isConditionFailed = (e: unknown) => (e as { name?: string })?.name === 'ConditionalCheckFailedException'
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => (clearTimeout(timer), reject(signal.reason))
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export function dynamodbStore(options: DynamoDBStoreOptions): DynamoDBStore {
  if (typeof options?.client?.send !== 'function') {
    throw new SafePresignError('INVALID_CONFIG', `${STORE}: \`client\` must be a DynamoDBDocumentClient; got ${typeof options?.client}`, {
      details: { option: 'client' },
    })
  }
  const { client } = options
  const TableName = checkTableName(options.tableName)
  const timeoutMs = checkTimeoutMs(STORE, options.timeoutMs ?? 2000)

  /** Sends one command with the operation's abort signal; returns the command's output. */
  type Send = <O = unknown>(command: object) => Promise<O>
  const sendRaw = client.send.bind(client) as unknown as (command: object, options: { abortSignal: AbortSignal }) => Promise<unknown>

  function run<T>(operation: string, work: (send: Send, signal: AbortSignal) => Promise<T>): Promise<T> {
    return withDeadline(timeoutMs, (signal) => work(<O>(command: object) => sendRaw(command, { abortSignal: signal }) as Promise<O>, signal)).catch(
      (cause: unknown) => {
        const missing = (cause as { name?: string })?.name === 'ResourceNotFoundException'
        throw storeUnavailable(STORE, operation, timeoutMs, cause, missing ? `create table "${TableName}" with store.createTable() first` : undefined)
      },
    )
  }
  /** Resolves to false instead of rejecting when the request's condition did not hold. */
  const conditional = (request: Promise<unknown>) => request.then(() => true, (e: unknown) => (isConditionFailed(e) ? false : Promise.reject(e)))
  // An expired record counts as absent and is overwritten; a committed one has no purgeAt.
  const putRecord = (send: Send, Item: Item, now: number) =>
    conditional(send(new PutCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk) OR purgeAt <= :now', ExpressionAttributeValues: { ':now': now } })))
  const getItem = async (send: Send, pk: string) =>
    (await send<{ Item?: Item }>(new GetCommand({ TableName, Key: { pk }, ConsistentRead: true }))).Item

  async function batchGet(send: Send, signal: AbortSignal, keys: string[]): Promise<Item[]> {
    const items: Item[] = []
    let pending: Record<string, unknown>[] = keys.map((key) => ({ pk: RECORD_PREFIX + key }))
    for (let attempt = 1; pending.length > 0; attempt++) {
      const out = await send<{ Responses?: Record<string, Item[]>; UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }> }>(
        new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
      )
      items.push(...(out.Responses?.[TableName] ?? []))
      pending = out.UnprocessedKeys?.[TableName]?.Keys ?? []
      if (pending.length === 0) break
      // Throttled or over 16 MB: retry just those, with capped, jittered backoff, within the deadline.
      if (attempt === BATCH_GET_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`)
      await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt), signal)
    }
    return items
  }

  // A quota slot is freed or moved after the record's own write: if that second request fails, the
  // slot is held until its moment passes (the owner is refused early, never admitted over the limit),
  // and the call still reports what happened to the record.
  const afterwards = (work: Promise<void>) => work.catch(() => {})

  const store = {
    create: async (record: UploadRecord, now: number, options?: CreateOptions) => {
      const max = quotaOf(STORE, options)
      return run('create', async (send): Promise<CreateResult> => {
        const quota = ownerQuota(send, TableName)
        const until = openUntil(record)
        const item = recordItem(record)
        if (record.state === 'pending' && until > now) {
          // Take the slot first: the record never exists without the slot that counts it.
          const slot = newSlot()
          for (let attempt = 1; !(await quota.claim(record.owner, slot, until, max)); attempt++) {
            if ((await quota.prune(record.owner, now, max)) === 'over-quota') return 'over-quota'
            if (attempt === CLAIM_ATTEMPTS) throw new Error(`the quota item of this owner changed under create ${attempt} times in a row`)
          }
          item[SLOT_ATTRIBUTE] = slot
          const created = await putRecord(send, item, now)
          if (!created) await quota.release(record.owner, slot)
          return created
        }
        // A record that is not an open grant takes no slot, but is refused when the owner is at the limit.
        if (max !== undefined && (await quota.open(record.owner, now)) >= max) return 'over-quota'
        return putRecord(send, item, now)
      })
    },

    get: (key: string, now: number) =>
      run('get', async (send) => {
        const item = await getItem(send, RECORD_PREFIX + key)
        return item && isLive(item, now) ? toRecord(item) : undefined
      }),

    getMany: (keys: readonly string[], now: number) =>
      run('getMany', async (send, signal) => {
        const unique = [...new Set(keys)]
        const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_GET_MAX) }, (_, i) => unique.slice(i * BATCH_GET_MAX, (i + 1) * BATCH_GET_MAX))
        const found = new Map<string, UploadRecord>()
        for (const items of await Promise.all(chunks.map((chunk) => batchGet(send, signal, chunk)))) {
          for (const item of items) if (isLive(item, now)) found.set((item.pk as string).slice(RECORD_PREFIX.length), toRecord(item))
        }
        return found
      }),

    transition: (key: string, from: UploadState, to: UploadState, patch: RecordPatch, now: number) =>
      run('transition', async (send) => {
        const names: Record<string, string> = { '#state': 'state' }
        const values: Record<string, unknown> = { ':from': from, ':to': to, ':now': now }
        const set = ['#state = :to']
        const remove: string[] = []
        const assign = (field: string, value: unknown) => {
          names[`#${field}`] = field
          if (value === undefined) return void remove.push(`#${field}`)
          values[`:${field}`] = value
          set.push(`#${field} = :${field}`)
        }
        for (const field of ['purgeAt', 'settledAt', 'reason', 'sniffedType'] as const) {
          // Present-but-undefined removes the attribute (`purgeAt: undefined` makes a record permanent).
          if (Object.hasOwn(patch, field)) assign(field, patch[field])
        }
        if (Object.hasOwn(patch, 'purgeAt')) assign(TTL_ATTRIBUTE, patch.purgeAt === undefined ? undefined : ttlOf(patch.purgeAt))
        names['#purgeAt'] = 'purgeAt'
        try {
          const out = await send<{ Attributes?: Item }>(new UpdateCommand({
            TableName,
            Key: { pk: RECORD_PREFIX + key },
            UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ConditionExpression: 'attribute_exists(pk) AND #state = :from AND (attribute_not_exists(#purgeAt) OR #purgeAt > :now)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }))
          if (!out.Attributes) return undefined
          const slot = out.Attributes[SLOT_ATTRIBUTE] as string | undefined
          const record = toRecord(out.Attributes)
          // Records written before 0.2 have no slot: they were never counted.
          if (slot !== undefined) {
            const quota = ownerQuota(send, TableName)
            if (to !== 'pending') {
              if (from === 'pending') await afterwards(quota.release(record.owner, slot))
            } else if (from === 'pending') await afterwards(quota.move(record.owner, slot, openUntil(record)))
            else await afterwards(quota.claim(record.owner, slot, openUntil(record), undefined).then(() => {}))
          }
          return record
        } catch (error) {
          if (isConditionFailed(error)) return undefined
          throw error
        }
      }),

    delete: (key: string) =>
      run('delete', async (send) => {
        const out = await send<{ Attributes?: Item }>(new DeleteCommand({ TableName, Key: { pk: RECORD_PREFIX + key }, ReturnValues: 'ALL_OLD' }))
        const slot = out.Attributes?.[SLOT_ATTRIBUTE] as string | undefined
        if (slot !== undefined && out.Attributes!.state === 'pending') {
          await afterwards(ownerQuota(send, TableName).release(out.Attributes!.owner as string, slot))
        }
      }),

    putTicket: (ticket: TicketRecord, now: number) =>
      run('putTicket', (send) =>
        // An expired ticket counts as absent, as an expired record does for create.
        conditional(send(new PutCommand({
          TableName,
          Item: ticketItem(ticket),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': now },
        }))),
      ),

    consumeTicket: (hash: string, now: number) =>
      run('consumeTicket', async (send): Promise<ConsumeResult> => {
        const pk = TICKET_PREFIX + hash
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            // DynamoDB serializes writes to one item: exactly one conditional update succeeds.
            const out = await send<{ Attributes?: Item }>(new UpdateCommand({
              TableName,
              Key: { pk },
              UpdateExpression: 'SET usedAt = :now',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :now',
              ExpressionAttributeValues: { ':now': now },
              ReturnValues: 'ALL_NEW',
            }))
            return { status: 'ok', ticket: toTicket(out.Attributes!) }
          } catch (error) {
            if (!isConditionFailed(error)) throw error
          }
          const item = await getItem(send, pk)
          if (!item) return { status: 'missing' }
          const ticket = toTicket(item)
          if (ticket.expiresAt <= now) return { status: 'expired', ticket }
          if (ticket.usedAt !== undefined) return { status: 'used', ticket }
          // Unused and live: putTicket landed between our two requests. Try again.
        }
        throw new Error('ticket changed under consumeTicket three times in a row')
      }),

    sweep: (now: number) =>
      run('sweep', async (send) => {
        // O(table): a Scan reads every item. Native TTL does this work for free in production.
        let removed = 0
        let ExclusiveStartKey: Record<string, unknown> | undefined
        do {
          const page = await send<{ Items?: Item[]; LastEvaluatedKey?: Record<string, unknown> }>(new ScanCommand({
            TableName,
            ConsistentRead: true,
            ProjectionExpression: 'pk',
            // Owner quota items go too once their `ttl` has passed (every slot has by then); not counted.
            FilterExpression:
              '(begins_with(pk, :r) AND purgeAt <= :now) OR (begins_with(pk, :t) AND expiresAt <= :now) OR (begins_with(pk, :o) AND #ttl <= :nowS)',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':r': RECORD_PREFIX, ':t': TICKET_PREFIX, ':o': OWNER_PREFIX, ':now': now, ':nowS': Math.floor(now / 1000) },
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }))
          const pks = (page.Items ?? []).map((item) => item.pk as string)
          for (let i = 0; i < pks.length; i += SWEEP_PARALLEL_DELETES) {
            const batch = pks.slice(i, i + SWEEP_PARALLEL_DELETES)
            const deleted = await Promise.all(batch.map((pk) =>
              // Conditional: a record re-created (or an owner item claimed) after the scan must stay.
              conditional(send(new DeleteCommand({
                TableName,
                Key: { pk },
                ...(pk.startsWith(OWNER_PREFIX)
                  ? { ConditionExpression: '#ttl <= :nowS', ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE }, ExpressionAttributeValues: { ':nowS': Math.floor(now / 1000) } }
                  : { ConditionExpression: pk.startsWith(RECORD_PREFIX) ? 'purgeAt <= :now' : 'expiresAt <= :now', ExpressionAttributeValues: { ':now': now } }),
              }))),
            ))
            removed += deleted.filter((done, j) => done && !batch[j]!.startsWith(OWNER_PREFIX)).length
          }
          ExclusiveStartKey = page.LastEvaluatedKey
        } while (ExclusiveStartKey)
        return removed
      }),

    async createTable(given?: DynamoDBClient | DynamoDBDocumentClient) {
      // A document client shares its DynamoDBClient's config and middleware stack, so it sends
      // CreateTable and the waiter's DescribeTable just as well.
      const admin = (given === undefined ? client : given) as DynamoDBClient
      if (typeof admin?.send !== 'function') {
        throw new SafePresignError('INVALID_CONFIG', `${STORE}.createTable: \`client\` must be a DynamoDBClient or DynamoDBDocumentClient, or left out to use the store's own; got ${admin === null ? 'null' : typeof admin}`, {
          details: { option: 'client', store: STORE, operation: 'createTable', tableName: TableName },
        })
      }
      const { TimeToLiveSpecification, ...input } = tableDefinition(TableName)
      try {
        await admin.send(new CreateTableCommand(input)).catch((e: unknown) => {
          if ((e as { name?: string })?.name !== 'ResourceInUseException') throw e // already there: fine
        })
        await waitUntilTableExists({ client: admin, maxWaitTime: 300, minDelay: 1 }, { TableName })
        await admin.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification })).catch((e: unknown) => {
          const name = (e as { name?: string })?.name
          const message = (e as { message?: string })?.message ?? ''
          // Already enabled is success. Emulators without TTL (dynalite) answer UnknownOperation:
          // reads check expiry themselves, and sweep() removes what TTL would have.
          if (name === 'UnknownOperationException' || (name === 'ValidationException' && /already enabled/i.test(message))) return
          throw e
        })
      } catch (cause) {
        throw new SafePresignError('STORE_UNAVAILABLE', `${STORE}.createTable failed for table "${TableName}": ${(cause as Error)?.message ?? String(cause)}`, {
          cause,
          details: { store: STORE, operation: 'createTable', tableName: TableName },
        })
      }
    },

    tableDefinition: () => tableDefinition(TableName),
  }
  return store satisfies DynamoDBStore
}
