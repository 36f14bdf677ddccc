// app/api/uploads/[...path]/route.ts: the upload protocol (docs/protocol.md) as a Next.js App Router
// route. The catch-all segment takes every route under /api/uploads; the handler routes by itself.
import { uploadHandler } from '../../../../lib/uploads.js'

// The builders use node:crypto: run on the Node.js runtime, not Edge.
export const runtime = 'nodejs'
// Every answer is per user and holds short-lived signed URLs: never cache or prerender it.
export const dynamic = 'force-dynamic'

export const GET = (request: Request) => uploadHandler(request)
export const POST = (request: Request) => uploadHandler(request)
