// The batch signer (one signing key for presignMany's links and signParts' part URLs) against the SDK's
// presigner through presignWith, the path every single URL takes: the same URL, byte for byte, for every client shape
// (virtual-host, path-style with a port, session tokens, response checksums), for keys and
// Content-Dispositions from the hostile filename corpus and from fast-check.
import { existsSync, readFileSync } from 'node:fs'
import type { S3Client } from '@aws-sdk/client-s3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contentDisposition } from '../../../src/key/content-disposition.js'
import { safeSanitizeFilename } from '../../../src/key/filename.js'
import { batchSigner } from '../../../src/sign/batch.js'
import { presignWith } from '../../../src/sign/presign.js'
import { signingContext } from '../../../src/sign/target.js'
import { localClient, s3Client, sessionCredentials, T } from '../core/fixtures.js'
import { registerSdk } from '../../../src/_internal/s3-commands.js'
import { SDK } from '../../../src/sign/commands.js'

// These tests call the signing internals directly; the builders register the SDK's classes themselves.
registerSdk(SDK)

const repoRoot = new URL('../../../', import.meta.url)
const sharedCorpus = new URL('../shared/corpus/filenames.json', repoRoot)
const corpus: Array<{ input: string }> = JSON.parse(readFileSync(existsSync(sharedCorpus) ? sharedCorpus : new URL('test/fixtures/filenames.json', repoRoot), 'utf8'))

const clients: Record<string, () => S3Client> = {
  'virtual-host eu-west-1': () => s3Client(),
  'virtual-host eu-west-1, session token': () => s3Client({ credentials: sessionCredentials }),
  'virtual-host us-east-1, response checksums WHEN_SUPPORTED': () => s3Client({ region: 'us-east-1', responseChecksumValidation: 'WHEN_SUPPORTED' }),
  'path-style 127.0.0.1:9000': () => localClient(),
  'path-style 127.0.0.1:9000, session token': () => localClient({ credentials: sessionCredentials }),
}

const queryFor = (filename: string | undefined, type = 'image/png') => ({
  'response-cache-control': 'private, no-store',
  'response-content-disposition': contentDisposition(filename),
  'response-content-type': type,
})

describe.each(Object.entries(clients))('batch links = single links (%s)', (_, make) => {
  const client = make()
  const signingDate = new Date(T)
  const pair = async (key: string, query: Record<string, string>, expiresIn = 60) => {
    const context = await signingContext(client, 'photos-bucket')
    const single = await presignWith(context, { method: 'GET', bucket: 'photos-bucket', key, query, expiresIn, signingDate })
    const batch = await (await batchSigner(client, context, expiresIn, signingDate))(key, query)
    return { single, batch }
  }

  it('for every filename of the corpus (its sanitized form in the Content-Disposition)', async () => {
    for (const { input } of corpus) {
      const name = safeSanitizeFilename(input)
      const { single, batch } = await pair(`uploads/${'3b241101-e2bb-4255-8caf-4136c566a962'}.png`, queryFor(name.ok ? name.value : undefined))
      expect(batch).toEqual(single)
    }
  })

  it('part URLs (PUT, UploadPart) with every header signParts signs, for any upload id and length', async () => {
    const context = await signingContext(client, 'photos-bucket')
    const headerSets: Record<string, string>[] = [{}, { 'content-md5': Buffer.alloc(16, 7).toString('base64') }, { 'x-amz-checksum-sha256': Buffer.alloc(32, 9).toString('base64') }, { 'x-amz-acl': 'bucket-owner-full-control' }, { 'x-amz-checksum-sha256': Buffer.alloc(32, 1).toString('base64'), 'x-amz-acl': 'bucket-owner-full-control' }]
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10_000 }), fc.string({ minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 5 * 1024 ** 3 }), fc.constantFrom(...headerSets), async (partNumber, uploadId, length, extraHeaders) => {
        const headers = { 'content-length': String(length), ...extraHeaders }
        const query = { partNumber: String(partNumber), uploadId }
        const single = await presignWith(context, { method: 'PUT', operation: 'UploadPart', bucket: 'photos-bucket', key: 'quarantine/3b241101-e2bb-4255-8caf-4136c566a962.bin', headers, query, unhoistable: ['x-amz-checksum-sha256', 'x-amz-acl'], expiresIn: 300, signingDate })
        const sign = await batchSigner(client, context, 300, signingDate, { method: 'PUT', operation: 'UploadPart' })
        expect((await sign('quarantine/3b241101-e2bb-4255-8caf-4136c566a962.bin', query, headers)).url).toBe(single.url)
      }),
      { numRuns: 150 },
    )
  })

  it('for any key of printable Unicode and any lifetime up to 7 days', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s)), fc.integer({ min: 1, max: 604_800 }), async (key, expiresIn) => {
        const { single, batch } = await pair(`uploads/${key}`, queryFor('report.pdf', 'application/pdf'), expiresIn)
        expect(batch.url).toBe(single.url)
        expect([batch.expiresIn, batch.expiresAt]).toEqual([single.expiresIn, single.expiresAt])
      }),
      { numRuns: 150 },
    )
  })
})
