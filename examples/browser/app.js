// The page's script, plain JavaScript: server.ts bundles it with src/client (esbuild) and serves it as
// /app.js. (JavaScript rather than TypeScript: the repository typechecks without the DOM library.)
// In your project: import { uploadFiles } from 'safe-presign/client', and let your bundler do this.
import { isSafePresignClientError, uploadFiles } from '../../src/client/index.js'

const picker = document.getElementById('picker')
const uploads = document.getElementById('uploads')

/** @param {number} n */
const bytes = (n) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`)

const el = (tag, props = {}) => Object.assign(document.createElement(tag), props)

/** One file's row: its name, a progress bar and what happened. @param {File} file */
function uploadRow(file) {
  const bar = el('progress', { max: Math.max(file.size, 1), value: 0 })
  const status = el('span', { className: 'status', textContent: 'waiting' })
  const li = el('li')
  li.dataset.name = file.name
  li.append(el('span', { className: 'name', textContent: file.name, title: file.name }), bar, status)
  return {
    li,
    /** @param {{ loaded: number, total: number }} progress */
    progress({ loaded, total }) {
      bar.max = Math.max(total, 1)
      bar.value = loaded
      status.textContent = `${bytes(loaded)} of ${bytes(total)}`
    },
    /** @param {boolean} ok @param {string} text */
    finish(ok, text) {
      if (ok) bar.value = bar.max
      status.className = `status ${ok ? 'ok' : 'failed'}`
      status.textContent = text
      li.dataset.state = ok ? 'done' : 'failed'
    },
  }
}

// The client's errors carry the handler's code (FILE_TOO_LARGE, CONTENT_MISMATCH, ...) and a message
// meant for people; neither holds a URL or a signature.
const describeError = (error) => (isSafePresignClientError(error) ? `${error.code}: ${error.message}` : String(error))

picker.addEventListener('change', async () => {
  const files = [...picker.files]
  picker.value = ''
  if (files.length === 0) return
  document.getElementById('no-uploads').hidden = true
  const rows = files.map(uploadRow)
  uploads.append(...rows.map((r) => r.li))
  // Two files at a time, each multipart one four parts at a time (the defaults); one file's failure
  // does not stop the others.
  const outcomes = await uploadFiles(files, { endpoint: '/uploads', onFileProgress: (i, p) => rows[i].progress(p) })
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) rows[i].finish(true, `done: ${bytes(outcome.result.size)}, ${outcome.result.contentType}`)
    else rows[i].finish(false, describeError(outcome.error))
  })
  await showFiles()
})

/** GET /api/files: the example's own list of this user's committed uploads (see ListedFile in server.ts). */
async function showFiles() {
  const res = await fetch('/api/files')
  if (!res.ok) return
  const { user, files } = await res.json()
  document.getElementById('user').textContent = user
  const table = document.getElementById('files')
  table.tBodies[0].replaceChildren(
    ...files.map((f) => {
      const tr = el('tr')
      tr.dataset.key = f.key
      // The handler's download route checks that this user owns the key, then redirects to a 60 s link.
      const name = el('td')
      name.append(el('a', { href: f.download, textContent: f.filename }))
      const key = el('td')
      key.append(el('code', { textContent: f.key }))
      tr.append(name, el('td', { className: 'size', textContent: bytes(f.size) }), el('td', { textContent: f.contentType }), key)
      return tr
    }),
  )
  table.hidden = files.length === 0
  document.getElementById('no-files').hidden = files.length > 0
}

void showFiles()
