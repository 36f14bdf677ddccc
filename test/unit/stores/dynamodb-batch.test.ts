// getMany's BatchGetItem handling, against a scripted client: DynamoDB (unlike dynalite) hands
// back UnprocessedKeys under throttling, and the store must retry them, boundedly.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { dynamodbStore } from '../../../src/stores/dynamodb.js'

type Key = { pk: string }
type BatchInput = { RequestItems: Record<string, { Keys: Key[]; ConsistentRead?: boolean }> }

const item = (pk: string) => ({ pk, owner: 'o', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 2, createdAt: 1, expiresAt: 2 })

/** A client whose BatchGetItem answers at most `perCall` keys and leaves the rest unprocessed. */
function scripted(perCall: number) {
  const calls: Key[][] = []
  const client = {
    async send(command: { input: BatchInput }) {
      const { Keys, ConsistentRead } = command.input.RequestItems.tbl!
      expect(ConsistentRead).toBe(true)
      calls.push(Keys)
      const done = Keys.slice(0, perCall)
      const rest = Keys.slice(perCall)
      return { Responses: { tbl: done.map((k) => item(k.pk)) }, ...(rest.length ? { UnprocessedKeys: { tbl: { Keys: rest } } } : {}) }
    },
  }
  return { calls, client: client as unknown as DynamoDBDocumentClient }
}

describe('dynamodbStore getMany batching', () => {
  it('splits 250 keys into requests of at most 100 and retries unprocessed keys until all are read', async () => {
    const { calls, client } = scripted(40)
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`)
    const found = await dynamodbStore({ client, tableName: 'tbl' }).getMany([...keys, 'k0'], 10)
    expect([...found.keys()].sort()).toEqual([...keys].sort())
    expect(found.get('k7')).toMatchObject({ key: 'k7', owner: 'o' })
    expect(Math.max(...calls.map((c) => c.length))).toBe(100)
    // Three first requests (100, 100, 50), then only the leftovers are asked for again.
    expect(calls.slice(0, 3).map((c) => c.length)).toEqual([100, 100, 50])
    expect(calls.flat().length).toBe(100 + 60 + 20 + 100 + 60 + 20 + 50 + 10)
  })

  it('gives up with STORE_UNAVAILABLE when DynamoDB keeps leaving keys unprocessed', async () => {
    const { calls, client } = scripted(0)
    const error = await dynamodbStore({ client, tableName: 'tbl', timeoutMs: 30_000 }).getMany(['a', 'b'], 10).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('left 2 keys unprocessed after 8 attempts') })
    expect(calls).toHaveLength(8)
  })

  it('stops retrying when timeoutMs runs out', async () => {
    const { client } = scripted(0)
    const began = performance.now()
    const error = await dynamodbStore({ client, tableName: 'tbl', timeoutMs: 100 }).getMany(['a'], 10).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'dynamodbStore.getMany failed: no answer within timeoutMs (100 ms)' })
    expect(performance.now() - began).toBeLessThan(400)
  })
})
