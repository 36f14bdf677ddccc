// The incremental MD5 lives in src/_internal/md5.ts: the server verifies with it too (WebCrypto has no MD5).
export { md5, type Md5 } from '../_internal/md5.js'
