// PutBucketLifecycleConfiguration's document, validated as S3 does, stored and returned. Stored and
// returned only: nothing ever expires or is aborted by a rule in the test S3.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html
import { elements, onlyElements, renderDocument, required, single } from './bucket-xml.js'
import { errors } from './errors.js'
import { parseXml, type XmlTree } from './xml.js'

/** "A lifecycle configuration can have up to 1,000 rules." */
export const MAX_LIFECYCLE_RULES = 1000
const RULE = ['ID', 'Filter', 'Prefix', 'Status', 'Expiration', 'Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition', 'AbortIncompleteMultipartUpload']
const ACTIONS = ['Expiration', 'Transition', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition', 'AbortIncompleteMultipartUpload']
const FILTER = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And']
const TAG = ['Key', 'Value']
const STORAGE_CLASSES = ['GLACIER', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'GLACIER_IR']

function positive(value: string | undefined, what: string): void {
  if (value !== undefined && !/^[1-9]\d{0,9}$/.test(value)) throw errors.invalidArgument(`'${what}' must be a positive integer`, what, value)
}

/** True when the filter names a tag (AbortIncompleteMultipartUpload cannot use those). */
function checkFilter(filter: XmlTree): boolean {
  onlyElements(filter, FILTER)
  // The filter holds one predicate; several go inside And.
  if (FILTER.filter((f) => filter[f] !== undefined).length > 1) throw errors.malformedXml()
  single(filter, 'Prefix')
  const and = elements(filter, 'And')
  if (and.length > 1) throw errors.malformedXml()
  if (and[0]) onlyElements(and[0], ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'])
  for (const tag of [...elements(filter, 'Tag'), ...(and[0] ? elements(and[0], 'Tag') : [])]) {
    onlyElements(tag, TAG)
    required(tag, 'Key')
  }
  return filter.Tag !== undefined || (and[0]?.Tag !== undefined)
}

function checkRule(rule: XmlTree): string | undefined {
  onlyElements(rule, RULE)
  const id = single(rule, 'ID')
  if (id !== undefined && id.length > 255) throw errors.invalidArgument('ID length should not exceed allowed limit of 255', 'ID', id.slice(0, 64))
  const status = required(rule, 'Status')
  if (status !== 'Enabled' && status !== 'Disabled') throw errors.malformedXml()
  // Filter (or the legacy Prefix), not both.
  if (rule.Filter !== undefined && rule.Prefix !== undefined) throw errors.malformedXml()
  single(rule, 'Prefix')
  const filters = elements(rule, 'Filter')
  if (filters.length > 1) throw errors.malformedXml()
  const tagged = filters[0] ? checkFilter(filters[0]) : false
  if (!ACTIONS.some((a) => rule[a] !== undefined)) throw errors.invalidRequest('At least one action needs to be specified in a rule')
  for (const expiration of elements(rule, 'Expiration')) {
    onlyElements(expiration, ['Days', 'Date', 'ExpiredObjectDeleteMarker'])
    positive(single(expiration, 'Days'), 'Days')
    if (expiration.Days !== undefined && expiration.Date !== undefined) throw errors.malformedXml()
  }
  for (const transition of elements(rule, 'Transition')) {
    onlyElements(transition, ['Days', 'Date', 'StorageClass'])
    if (!STORAGE_CLASSES.includes(required(transition, 'StorageClass'))) throw errors.malformedXml()
  }
  for (const abort of elements(rule, 'AbortIncompleteMultipartUpload')) {
    onlyElements(abort, ['DaysAfterInitiation'])
    positive(required(abort, 'DaysAfterInitiation'), 'DaysAfterInitiation')
    if (tagged) throw errors.invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.')
  }
  for (const noncurrent of elements(rule, 'NoncurrentVersionExpiration')) {
    onlyElements(noncurrent, ['NoncurrentDays', 'NewerNoncurrentVersions'])
    positive(single(noncurrent, 'NoncurrentDays'), 'NoncurrentDays')
  }
  return id
}

/** The configuration to store: validated, written back in S3's namespace. */
export function parseLifecycle(body: Uint8Array): string {
  const doc = parseXml(body, 'LifecycleConfiguration')
  onlyElements(doc, ['Rule'])
  const rules = elements(doc, 'Rule')
  if (rules.length === 0 || rules.length > MAX_LIFECYCLE_RULES) throw errors.malformedXml()
  const ids = rules.map(checkRule).filter((id): id is string => id !== undefined)
  if (new Set(ids).size !== ids.length) throw errors.invalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', ids.find((id, i) => ids.indexOf(id) !== i)!)
  return renderDocument('LifecycleConfiguration', doc)
}
