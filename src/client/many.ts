// uploadFiles(): several files, a few at a time, with one progress over all of their bytes.
import { aborted } from './errors.js'
import { tracker, type Progress } from './progress.js'
import { uploadFile, type ResumeState, type UploadOptions, type UploadResult } from './upload.js'

export interface UploadFilesOptions extends Omit<UploadOptions, 'filename' | 'contentType' | 'resume' | 'onResumeState' | 'onProgress'> {
  /** Bytes sent over all files: never decreasing, last called with `loaded === total`. */
  onProgress?: (progress: Progress) => void
  /** One file's progress. */
  onFileProgress?: (index: number, progress: Progress) => void
  /** Called when file `index`'s multipart upload exists. */
  onResumeState?: (index: number, state: ResumeState) => void
  /** Files uploaded at once. @default 2 */
  parallel?: number
}

export type FileOutcome = { ok: true; file: Blob; result: UploadResult } | { ok: false; file: Blob; error: unknown }

/** Uploads every file; one file's failure does not stop the others. Outcomes are in `files` order. */
export async function uploadFiles(files: readonly Blob[], options: UploadFilesOptions): Promise<FileOutcome[]> {
  const { onProgress, onFileProgress, onResumeState, parallel = 2, ...rest } = options
  const total = files.reduce((sum, f) => sum + f.size, 0)
  const overall = tracker(total, onProgress)
  const outcomes: FileOutcome[] = new Array(files.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i]!
      const index = i
      try {
        if (options.signal?.aborted) throw aborted()
        const result = await uploadFile(file, {
          ...rest,
          onProgress: (p) => {
            overall.set(index, p.loaded)
            onFileProgress?.(index, p)
          },
          ...(onResumeState ? { onResumeState: (state: ResumeState) => onResumeState(index, state) } : {}),
        })
        outcomes[index] = { ok: true, file, result }
      } catch (error) {
        outcomes[index] = { ok: false, file, error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, files.length)) }, worker))
  if (outcomes.every((o) => o.ok)) overall.finish()
  return outcomes
}
