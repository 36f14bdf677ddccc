// Progress over many requests (parts, retries, files): the sum of each one's bytes, reported only when
// it grows, so a retried part that starts again from 0 never moves the bar back.

export interface Progress {
  loaded: number
  total: number
}

export interface Tracker {
  /** Request `id` has sent `loaded` bytes. */
  set(id: number, loaded: number): void
  /** Everything is sent: reports `total` if it was not reported yet. */
  finish(): void
}

export function tracker(total: number, onProgress?: (progress: Progress) => void): Tracker {
  const sent = new Map<number, number>()
  let reported = -1
  const report = (loaded: number) => {
    if (loaded <= reported) return
    reported = loaded
    onProgress?.({ loaded, total })
  }
  return {
    set(id, loaded) {
      sent.set(id, loaded)
      let sum = 0
      for (const bytes of sent.values()) sum += bytes
      report(Math.min(sum, total))
    },
    finish: () => report(total),
  }
}
