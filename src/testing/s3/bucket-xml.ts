// Reading bucket-setting documents strictly, as S3 validates them against its schema: an element
// the schema does not have, one repeated where it may appear once, or text where children belong is
// MalformedXML. And writing a validated document back in S3's namespace.
import { errors, escapeXml } from './errors.js'
import type { XmlTree } from './xml.js'

/** MalformedXML unless every child of `node` is one of `allowed` (and it holds no stray text). */
export function onlyElements(node: XmlTree, allowed: readonly string[]): void {
  for (const name of Object.keys(node)) {
    if (name === '#text' ? String(node[name]).trim() !== '' : !allowed.includes(name)) throw errors.malformedXml()
  }
}

/** The text of every child `name` ('' for an empty element); MalformedXML for one with children. */
export function texts(node: XmlTree, name: string): string[] {
  const value = node[name]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map((v) => {
    if (typeof v === 'string') return v
    const keys = Object.keys(v)
    if (keys.length === 0) return ''
    if (keys.length === 1 && keys[0] === '#text') return String(v['#text'])
    throw errors.malformedXml()
  })
}

/** The text of the child `name`, which may appear at most once (MalformedXML when repeated). */
export function single(node: XmlTree, name: string): string | undefined {
  const all = texts(node, name)
  if (all.length > 1) throw errors.malformedXml()
  return all[0]
}

/** As single(), and MalformedXML when it is missing. */
export function required(node: XmlTree, name: string): string {
  const value = single(node, name)
  if (value === undefined) throw errors.malformedXml()
  return value
}

/** The child elements `name` (containers); MalformedXML when one is text. */
export function elements(node: XmlTree, name: string): XmlTree[] {
  const value = node[name]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).map((v) => {
    if (typeof v === 'string') {
      if (v.trim() !== '') throw errors.malformedXml()
      return {}
    }
    return v
  })
}

/** `true` / `false` as XML Schema booleans are written; MalformedXML for anything else. */
export function xmlBoolean(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw errors.malformedXml()
}

function renderChildren(node: XmlTree): string {
  return Object.entries(node)
    .filter(([name]) => name !== '#text')
    .map(([name, value]) =>
      (Array.isArray(value) ? value : [value])
        .map((v) => (typeof v === 'string' ? `<${name}>${escapeXml(v)}</${name}>` : `<${name}>${'#text' in v ? escapeXml(String(v['#text'])) : ''}${renderChildren(v)}</${name}>`))
        .join(''),
    )
    .join('')
}

/** A parsed (and validated) document, written back under `root` in S3's namespace. */
export function renderDocument(root: string, node: XmlTree): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${renderChildren(node)}</${root}>`
}
