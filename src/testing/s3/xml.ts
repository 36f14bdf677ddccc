// XML in and out. Request bodies (CompleteMultipartUpload, CORSConfiguration, Delete, ...) are parsed
// with fast-xml-parser, DTDs and entities beyond XML's five refused; responses are built from plain
// objects, element order as given.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { errors, escapeXml } from './errors.js'

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  isArray: () => true,
})

export type XmlTree = { [name: string]: XmlTree[] | string[] | string }

/**
 * The document's root element, every child as an array (S3 lists repeat elements). MalformedXML for
 * anything that is not one well-formed document with the expected root.
 */
export function parseXml(body: Uint8Array, root: string): XmlTree {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body)
  let doc: Record<string, unknown[]>
  try {
    if (text.trim() === '' || /<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) throw errors.malformedXml()
    doc = parser.parse(text) as Record<string, unknown[]>
  } catch {
    // Also what the parser throws on input it will not take (e.g. nesting past its limit): not a 500.
    throw errors.malformedXml()
  }
  const top = doc[root]
  if (!Array.isArray(top) || top.length !== 1) throw errors.malformedXml()
  const node = top[0]
  return (typeof node === 'object' && node !== null ? node : {}) as XmlTree
}

/** The children named `name` of a parsed element (always an array). */
export function children(node: XmlTree, name: string): XmlTree[] {
  const value = node[name]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' && v !== null ? v : { '#text': String(v) })) as XmlTree[]
}

/** The text of the single child `name`, or undefined. */
export function text(node: XmlTree, name: string): string | undefined {
  const value = node[name]
  if (value === undefined) return undefined
  const first = Array.isArray(value) ? value[0] : value
  if (first === undefined) return undefined
  if (typeof first === 'string') return first
  if (typeof first === 'object' && first !== null && '#text' in first) return String((first as Record<string, unknown>)['#text'])
  return ''
}

export type XmlValue = string | number | boolean | undefined | XmlValue[] | { [name: string]: XmlValue }

function render(name: string, value: XmlValue): string {
  if (value === undefined) return ''
  if (Array.isArray(value)) return value.map((v) => render(name, v)).join('')
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([k, v]) => render(k, v)).join('')}</${name}>`
  return `<${name}>${escapeXml(String(value))}</${name}>`
}

/** `<?xml ...?><Root xmlns="http://s3.amazonaws.com/doc/2006-03-01/">…</Root>` from a plain object. */
export function buildXml(root: string, body: { [name: string]: XmlValue }): string {
  const inner = Object.entries(body).map(([k, v]) => render(k, v)).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`
}
