// Everything a PUT grant and a download link do not run, in one module that the builders load with
// import() on first use: complete(), POST signing, the multipart methods, tickets and batch signing.
// One module, not one each: a bundler makes a chunk for every set of lazy modules that shares code with
// the entry, and each chunk is one more file a cold start reads and links (bench/README.md, "Cold start").
export { completeUpload } from './lifecycle/complete.js'
export { presignPost } from './sign/post.js'
export { multipartMethods } from './multipart/methods.js'
export { issueTicket, redeemTicket } from './tickets.js'
export { batchSigner } from './sign/batch.js'
