// The slice of @20minutes/s3rver (which ships no types) that examples/demo/emulator.ts uses.
declare module '@20minutes/s3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http'
  import type { AddressInfo } from 'node:net'

  interface S3rverOptions {
    address?: string
    port?: number
    silent?: boolean
    directory?: string
    configureBuckets?: { name: string; configs: unknown[] }[]
  }

  export default class S3rver {
    constructor(options?: S3rverOptions)
    run(): Promise<AddressInfo>
    close(): Promise<void>
    /** Koa's request handler; listen() installs it on the HTTP server. */
    callback(): (req: IncomingMessage, res: ServerResponse) => unknown
  }
}
