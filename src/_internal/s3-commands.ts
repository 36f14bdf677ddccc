// The SDK commands that the lazily loaded parts send (complete(), multipart), built here from classes
// the builders hand over, instead of imported by those modules. A lazy chunk that imported
// @aws-sdk/client-s3 itself makes bundlers move the whole SDK out of the app's entry into a chunk shared
// with it, which cost every cold start about 3.5 ms (measured: bench/README.md, "Cold start"). The
// classes come from src/sign/commands.ts, registered by createSafeUpload and createSafeDownload: the
// modules that any import() target reaches (sign/target.ts too) import no SDK value.
import type * as S3 from '@aws-sdk/client-s3'
import type { S3RequestPresigner } from '@aws-sdk/s3-request-presigner'
import type { getEndpointFromInstructions } from '@smithy/core/endpoints'

export interface S3Commands {
  AbortMultipartUpload: typeof S3.AbortMultipartUploadCommand
  CompleteMultipartUpload: typeof S3.CompleteMultipartUploadCommand
  CopyObject: typeof S3.CopyObjectCommand
  CreateMultipartUpload: typeof S3.CreateMultipartUploadCommand
  DeleteObject: typeof S3.DeleteObjectCommand
  GetObject: typeof S3.GetObjectCommand
  HeadObject: typeof S3.HeadObjectCommand
  ListMultipartUploads: typeof S3.ListMultipartUploadsCommand
  ListParts: typeof S3.ListPartsCommand
  PutObject: typeof S3.PutObjectCommand
  UploadPartCopy: typeof S3.UploadPartCopyCommand
}

/** What is registered: the command classes, the SDK's endpoint resolution and its presigner (sign/target.ts). */
export interface Sdk {
  commands: S3Commands
  getEndpointFromInstructions: typeof getEndpointFromInstructions
  S3RequestPresigner: typeof S3RequestPresigner
}

let registered: Sdk | undefined

export function registerSdk(sdk: Sdk): void {
  registered ??= sdk
}

function sdk(): Sdk {
  if (!registered) throw new Error('safe-presign: the SDK is not registered (createSafeUpload and createSafeDownload register it)')
  return registered
}

/** The SDK's presigner class (from @aws-sdk/s3-request-presigner). */
export const presignerClass = (): typeof S3RequestPresigner => sdk().S3RequestPresigner

/** The SDK's getEndpointFromInstructions (from @smithy/core/endpoints). */
export const endpointFromInstructions: typeof getEndpointFromInstructions = (...args) => sdk().getEndpointFromInstructions(...args)

/** The class itself (endpoint resolution reads its static parameter instructions). */
export function commandClass<K extends keyof S3Commands>(name: K): S3Commands[K] {
  return sdk().commands[name]
}

/** `new <name>Command(input)`, e.g. `command('HeadObject', { Bucket, Key })`. */
export function command<K extends keyof S3Commands>(name: K, input: ConstructorParameters<S3Commands[K]>[0]): InstanceType<S3Commands[K]> {
  const Command = sdk().commands[name] as unknown as new (input: unknown) => InstanceType<S3Commands[K]>
  return new Command(input)
}
