// The route table of docs/protocol.md. Each route reads its fields by name and calls one builder
// method with the authenticated owner; the builders do every check that matters.
import type { SafeDownload } from '../download.js'
import { invalid } from '../_internal/validate.js'
import type { SafeUpload } from '../upload.js'
import type { JsonBody } from './body.js'
import { multipartRef, optional, partList, required } from './fields.js'
import { grant } from './grant.js'
import type { DownloadAnswer, SignPartsAnswer } from './protocol.js'
import { json, redirect } from './respond.js'

export interface RouteContext {
  /** What authenticate() returned: the only owner the handler ever uses. */
  owner: string
  /** The JSON body (POST routes), or `{}`. */
  body: JsonBody
  url: URL
}

export interface Route {
  method: 'GET' | 'POST'
  run(context: RouteContext): Promise<Response>
}

const ok = (body: unknown) => json(200, body)

export function routeTable(uploads: SafeUpload, downloads: SafeDownload | undefined): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>([
    ['/grant', { method: 'POST', run: async ({ owner, body }) => ok(await grant(uploads, owner, body)) }],
    [
      '/parts',
      {
        method: 'POST',
        run: async ({ owner, body }) => {
          const parts = await uploads.signParts({ ...multipartRef(body), owner, parts: partList(body) })
          return ok({ parts } satisfies SignPartsAnswer)
        },
      },
    ],
    ['/parts/list', { method: 'POST', run: async ({ owner, body }) => ok(await uploads.listParts({ ...multipartRef(body), owner })) }],
    [
      '/complete',
      {
        method: 'POST',
        run: async ({ owner, body }) => {
          const key = required(body, 'key', 'string')
          const uploadId = optional(body, 'uploadId', 'string')
          return ok(uploadId === undefined ? await uploads.complete({ key, owner }) : await uploads.completeMultipart({ key, uploadId, owner }))
        },
      },
    ],
    ['/abort', { method: 'POST', run: async ({ owner, body }) => ok(await uploads.abortMultipart({ ...multipartRef(body), owner })) }],
  ])
  if (downloads) {
    routes.set('/download', {
      method: 'GET',
      run: async ({ owner, url }) => {
        const key = url.searchParams.get('key')
        if (key === null || key === '') invalid('INVALID_REQUEST', 'key', key ?? undefined, 'the download route needs `?key=`, the key of a completed upload')
        const link = await downloads.presign({ key, requester: owner })
        if (url.searchParams.get('redirect') === '1') return redirect(link.url)
        return ok({ url: link.url, expiresAt: link.expiresAt } satisfies DownloadAnswer)
      },
    })
  }
  return routes
}
