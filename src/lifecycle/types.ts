/** What a scan hook sees: the quarantined object, before promotion. */
export interface ScanTarget {
  bucket: string
  /** The quarantined key, where the bytes are now. */
  key: string
  /** The key it will be promoted to. */
  finalKey: string
  contentType: string
  size: number
  owner: string
}

/**
 * Decides whether a quarantined object is clean. Anything but a resolved `'clean'` (an
 * `'infected'`, a throw, a timeout) means not clean: the object is deleted and never promoted.
 */
export type ScanHook = (object: ScanTarget) => Promise<'clean' | 'infected'> | 'clean' | 'infected'
