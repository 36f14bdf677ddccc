// safe-presign/react: useUpload(), a React hook over safe-presign/client's uploadFile().
import { useCallback, useEffect, useRef, useState } from 'react'
import { uploadFile, type Progress, type UploadOptions, type UploadResult } from '../client/index.js'

export type UploadStatus = 'idle' | 'uploading' | 'done' | 'error'

/** uploadFile's options; `signal` is the hook's own (see `abort`). */
export type UseUploadOptions = Omit<UploadOptions, 'signal'>

export interface UseUpload {
  /** Uploads `file`, aborting any upload still running. Resolves to the result, or undefined on error (see `error`). */
  upload(file: Blob): Promise<UploadResult | undefined>
  /** Bytes sent of the current file; `{ loaded: 0, total: 0 }` before the first upload. */
  progress: Progress
  status: UploadStatus
  /** The failure, a SafePresignClientError (its `code` and `message` are safe to show). */
  error: unknown
  result: UploadResult | undefined
  /** Stops the current upload (a multipart one is aborted on the server); status becomes 'error' with code ABORTED. */
  abort(): void
}

interface State {
  status: UploadStatus
  progress: Progress
  error: unknown
  result: UploadResult | undefined
}

/** Upload one file at a time through the handler at `endpoint`, with its status and progress as state. */
export function useUpload(options: UseUploadOptions): UseUpload {
  const [state, setState] = useState<State>({ status: 'idle', progress: { loaded: 0, total: 0 }, error: undefined, result: undefined })
  // The latest options without re-creating upload(): a new object literal every render is the norm.
  const latest = useRef(options)
  useEffect(() => {
    latest.current = options
  })
  const running = useRef<AbortController | undefined>(undefined)
  // Unmounting stops the upload: nobody is left to see it finish.
  useEffect(() => () => running.current?.abort(), [])

  const upload = useCallback(async (file: Blob) => {
    running.current?.abort()
    const controller = new AbortController()
    running.current = controller
    // Only the latest upload may set state: an aborted one settles after its successor started.
    const current = () => running.current === controller
    setState({ status: 'uploading', progress: { loaded: 0, total: file.size }, error: undefined, result: undefined })
    const opts = latest.current
    try {
      const result = await uploadFile(file, {
        ...opts,
        signal: controller.signal,
        onProgress: (progress) => {
          if (current()) setState((s) => ({ ...s, progress }))
          opts.onProgress?.(progress)
        },
      })
      if (current()) setState((s) => ({ ...s, status: 'done', result }))
      return result
    } catch (error) {
      if (current()) setState((s) => ({ ...s, status: 'error', error }))
      return undefined
    }
  }, [])
  const abort = useCallback(() => running.current?.abort(), [])
  return { ...state, upload, abort }
}
