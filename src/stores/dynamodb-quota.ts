// The DynamoDB store's per-owner quota, without transactions (dynalite has no TransactWriteItems,
// and one owner item is cheaper than a transaction anyway). Each owner has one item:
//   pk = `o#<owner>`, `n` = how many slots it holds, `s_<random>` = one slot per pending record,
//   valued with the moment the record stops counting (ms), and `ttl` for native TTL.
// Claiming a slot is one conditional UpdateItem (`n < max`): DynamoDB serializes writes to one item
// and evaluates the condition on its latest state, so of any number of concurrent claims at most
// `max` succeed. `n` and the slots change together in every update, so `n` is exactly the slot count.
// Slots whose moment has passed are removed (and `n` lowered) only when a claim fails on them.
import { randomBytes } from 'node:crypto'
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { MAX_PRESIGNED_EXPIRY_SECONDS } from '../limits.js'
import { TTL_ATTRIBUTE, ttlOf, type Item } from './dynamodb-items.js'

export const OWNER_PREFIX = 'o#'
/** The record item's attribute naming its slot in the owner item. */
export const SLOT_ATTRIBUTE = 'quotaSlot'
const SLOT_PREFIX = 's_'
/** How many stale slots one pruning request removes (each adds a name, a value and a condition). */
const PRUNE_BATCH = 50
/**
 * The owner item lives this long past its latest claim's moment. No presigned URL lives longer
 * than 7 days, so every slot it holds has passed by then, whatever order grants were issued in.
 */
const OWNER_TTL_SLACK_MS = MAX_PRESIGNED_EXPIRY_SECONDS * 1000

type Send = <O = unknown>(command: object) => Promise<O>

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)))
const isConditionFailed = (e: unknown) => (e as { name?: string })?.name === 'ConditionalCheckFailedException'

export const newSlot = (): string => SLOT_PREFIX + randomBytes(12).toString('base64url')

export function ownerQuota(send: Send, TableName: string) {
  const Key = (owner: string) => ({ pk: OWNER_PREFIX + owner })

  /** Takes `slot` for `owner` unless the owner holds `max` slots. False when the condition failed. */
  async function claim(owner: string, slot: string, until: number, max: number | undefined): Promise<boolean> {
    try {
      await send(new UpdateCommand({
        TableName,
        Key: Key(owner),
        UpdateExpression: 'SET #s = :until, #n = if_not_exists(#n, :zero) + :one, #ttl = :ttl',
        ConditionExpression: `attribute_not_exists(#s)${max === undefined ? '' : ' AND (attribute_not_exists(#n) OR #n < :max)'}`,
        ExpressionAttributeNames: { '#s': slot, '#n': 'n', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':until': until, ':zero': 0, ':one': 1, ':ttl': ttlOf(until + OWNER_TTL_SLACK_MS), ...(max === undefined ? {} : { ':max': max }) },
      }))
      return true
    } catch (error) {
      if (isConditionFailed(error)) return false
      throw error
    }
  }

  /**
   * After a failed claim: reads the owner item. 'over-quota' if it holds `max` open slots; otherwise
   * removes (up to PRUNE_BATCH) slots that stopped counting, each only if unchanged, and says 'retry'.
   */
  async function prune(owner: string, now: number, max: number | undefined): Promise<'over-quota' | 'retry'> {
    const { Item: item } = await send<{ Item?: Item }>(new GetCommand({ TableName, Key: Key(owner), ConsistentRead: true }))
    const slots = Object.entries(item ?? {}).filter(([name]) => name.startsWith(SLOT_PREFIX))
    if (max !== undefined && slots.filter(([, until]) => num(until) > now).length >= max) return 'over-quota'
    const stale = slots.filter(([, until]) => num(until) <= now).slice(0, PRUNE_BATCH)
    if (stale.length === 0) return 'retry' // it changed since the claim failed
    const names: Record<string, string> = { '#n': 'n' }
    const values: Record<string, unknown> = { ':k': stale.length }
    stale.forEach(([name, until], i) => ((names[`#s${i}`] = name), (values[`:s${i}`] = until)))
    try {
      await send(new UpdateCommand({
        TableName,
        Key: Key(owner),
        UpdateExpression: `REMOVE ${stale.map((_, i) => `#s${i}`).join(', ')} SET #n = #n - :k`,
        ConditionExpression: stale.map((_, i) => `#s${i} = :s${i}`).join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }))
    } catch (error) {
      if (!isConditionFailed(error)) throw error // another caller pruned or released first: fine
    }
    return 'retry'
  }

  /** How many open slots `owner` holds, by one consistent read (for a create that takes no slot). */
  async function open(owner: string, now: number): Promise<number> {
    const { Item: item } = await send<{ Item?: Item }>(new GetCommand({ TableName, Key: Key(owner), ConsistentRead: true }))
    return Object.entries(item ?? {}).filter(([name, until]) => name.startsWith(SLOT_PREFIX) && num(until) > now).length
  }

  /** Frees `slot`; a slot already gone (pruned, released) is fine. */
  async function release(owner: string, slot: string): Promise<void> {
    try {
      await send(new UpdateCommand({
        TableName,
        Key: Key(owner),
        UpdateExpression: 'REMOVE #s SET #n = #n - :one',
        ConditionExpression: 'attribute_exists(#s)',
        ExpressionAttributeNames: { '#s': slot, '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1 },
      }))
    } catch (error) {
      if (!isConditionFailed(error)) throw error
    }
  }

  /** Moves a held slot's moment (a pending record's purgeAt changed). */
  async function move(owner: string, slot: string, until: number): Promise<void> {
    try {
      await send(new UpdateCommand({
        TableName,
        Key: Key(owner),
        UpdateExpression: 'SET #s = :until',
        ConditionExpression: 'attribute_exists(#s)',
        ExpressionAttributeNames: { '#s': slot },
        ExpressionAttributeValues: { ':until': until },
      }))
    } catch (error) {
      if (!isConditionFailed(error)) throw error
    }
  }

  return { claim, prune, open, release, move }
}
