// A failed check of complete(): the object is deleted and the record rejected with its code.
import type { ErrorCode } from '../errors.js'

/**
 * A failed check. Its message names the check and the grant's own bound only: what was observed
 * (the object's real size, digest, type, ETag) goes to `observed`, which stays on the server. An
 * error that printed "the object is 51 bytes" let an attacker tune the next grant to a copied object.
 */
export class Rejection extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly observed: Record<string, unknown> = {},
    readonly sniffedType?: string,
  ) {
    super(message)
  }
}
