// Body fields, read by name: only the fields a route knows are read (extra ones are ignored, and an
// `owner` in a body never is: the owner is what authenticate() returned). JSON null counts as absent.
import { invalid } from '../_internal/validate.js'
import type { JsonBody } from './body.js'

type Kind = 'string' | 'number' | 'boolean'
type Of<K extends Kind> = K extends 'string' ? string : K extends 'number' ? number : boolean

export function optional<K extends Kind>(body: JsonBody, name: string, kind: K, label = name): Of<K> | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== kind) invalid('INVALID_REQUEST', label, value, `it must be a ${kind}`)
  return value as Of<K>
}

export function required<K extends Kind>(body: JsonBody, name: string, kind: K, label = name): Of<K> {
  const value = optional(body, name, kind, label)
  if (value === undefined) invalid('INVALID_REQUEST', label, body[name], `it is required (a ${kind})`)
  return value
}

/** `parts: [{ partNumber, checksum? }]`, shape only: the builder checks the numbers and the count. */
export function partList(body: JsonBody): { partNumber: number; checksum?: string }[] {
  const parts = body.parts
  if (!Array.isArray(parts)) invalid('INVALID_REQUEST', 'parts', parts, 'it must be an array of { partNumber, checksum? }')
  return parts.map((part: unknown, i) => {
    if (typeof part !== 'object' || part === null || Array.isArray(part)) invalid('INVALID_REQUEST', `parts[${i}]`, part, 'it must be { partNumber, checksum? }')
    const partNumber = required(part as JsonBody, 'partNumber', 'number', `parts[${i}].partNumber`)
    const checksum = optional(part as JsonBody, 'checksum', 'string', `parts[${i}].checksum`)
    return checksum === undefined ? { partNumber } : { partNumber, checksum }
  })
}

/** `{ key, uploadId }`. */
export function multipartRef(body: JsonBody): { key: string; uploadId: string } {
  return { key: required(body, 'key', 'string'), uploadId: required(body, 'uploadId', 'string') }
}
