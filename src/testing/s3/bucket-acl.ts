// Bucket ACLs: a canned ACL, x-amz-grant-* headers or an AccessControlPolicy body, on CreateBucket
// and PutBucketAcl; GetBucketAcl's document. As AWS enforces them: under BucketOwnerEnforced only an
// ACL granting the owner alone is accepted; with ACLs enabled a public one is refused while
// BlockPublicAcls is on. Stored and returned (the test S3 grants nothing by a bucket ACL).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html
import { createHash } from 'node:crypto'
import { elements, onlyElements, required, single } from './bucket-xml.js'
import { extraOf, type AclGrant } from './bucket-extra.js'
import { S3Error, errors, escapeXml } from './errors.js'
import type { S3Request } from './request.js'
import type { Bucket, State } from './state.js'
import { parseXml } from './xml.js'

const GROUPS = 'http://acs.amazonaws.com/groups/'
const ALL_USERS = `${GROUPS}global/AllUsers`
const AUTHENTICATED = `${GROUPS}global/AuthenticatedUsers`
const LOG_DELIVERY = `${GROUPS}s3/LogDelivery`
const PERMISSIONS = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'] as const
const GRANT_HEADERS: Record<string, AclGrant['permission']> = {
  'x-amz-grant-full-control': 'FULL_CONTROL',
  'x-amz-grant-write': 'WRITE',
  'x-amz-grant-write-acp': 'WRITE_ACP',
  'x-amz-grant-read': 'READ',
  'x-amz-grant-read-acp': 'READ_ACP',
}
const CANNED = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'log-delivery-write', 'bucket-owner-read', 'bucket-owner-full-control', 'aws-exec-read']

/** The bucket owner's canonical user id (every bucket here is the root account's). */
export const ownerId = (state: State): string => createHash('sha256').update(state.root.arn).digest('hex')

const group = (uri: string, permission: AclGrant['permission']): AclGrant => ({ grantee: { type: 'Group', uri }, permission })

export function cannedGrants(acl: string, owner: string): AclGrant[] {
  const grants: AclGrant[] = [{ grantee: { type: 'CanonicalUser', id: owner }, permission: 'FULL_CONTROL' }]
  if (acl === 'public-read' || acl === 'public-read-write') grants.push(group(ALL_USERS, 'READ'))
  if (acl === 'public-read-write') grants.push(group(ALL_USERS, 'WRITE'))
  if (acl === 'authenticated-read') grants.push(group(AUTHENTICATED, 'READ'))
  if (acl === 'log-delivery-write') grants.push(group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP'))
  return grants
}

const isPublic = (g: AclGrant) => g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED)
const ownerOnly = (grants: AclGrant[], owner: string) => grants.every((g) => g.grantee.type === 'CanonicalUser' && g.grantee.id === owner && g.permission === 'FULL_CONTROL')

function grantee(kind: string, value: string, owner: string): AclGrant['grantee'] {
  if (kind === 'uri' || kind === 'URI') {
    if (value !== ALL_USERS && value !== AUTHENTICATED && value !== LOG_DELIVERY) throw errors.invalidArgument('Invalid group uri', 'uri', value)
    return { type: 'Group', uri: value }
  }
  // The root account is the only canonical user this S3 knows; AWS refuses ids it cannot resolve.
  if (kind === 'id' || kind === 'ID') {
    if (value !== owner) throw errors.invalidArgument('Invalid id', 'CanonicalUser/ID', value)
    return { type: 'CanonicalUser', id: value }
  }
  if (kind === 'emailAddress' || kind === 'EmailAddress') throw new S3Error(400, 'UnresolvableGrantByEmailAddress', 'The email address you provided does not match any account on record.')
  throw errors.invalidArgument('Argument format not recognized', kind, value)
}

function headerGrants(req: S3Request, owner: string): AclGrant[] {
  const grants: AclGrant[] = []
  for (const [name, permission] of Object.entries(GRANT_HEADERS)) {
    const value = req.headers.get(name)
    if (value === undefined) continue
    for (const part of value.split(',')) {
      const m = /^\s*(\w+)\s*=\s*"?([^"]*)"?\s*$/.exec(part)
      if (!m) throw errors.invalidArgument('Argument format not recognized', name, value)
      grants.push({ grantee: grantee(m[1]!, m[2]!, owner), permission })
    }
  }
  return grants
}

const malformedAcl = () => new S3Error(400, 'MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema')

function bodyGrants(body: Uint8Array, owner: string): AclGrant[] {
  let doc
  try {
    doc = parseXml(body, 'AccessControlPolicy')
    onlyElements(doc, ['Owner', 'AccessControlList'])
  } catch {
    throw malformedAcl()
  }
  const ownerNode = elements(doc, 'Owner')[0]
  if (ownerNode && single(ownerNode, 'ID') !== owner) throw errors.accessDenied()
  const list = elements(doc, 'AccessControlList')
  if (list.length !== 1) throw malformedAcl()
  return elements(list[0]!, 'Grant').map((g) => {
    const permission = single(g, 'Permission') as AclGrant['permission']
    const who = elements(g, 'Grantee')[0]
    if (!who || !PERMISSIONS.includes(permission)) throw malformedAcl()
    const kind = ['ID', 'URI', 'EmailAddress'].find((k) => who[k] !== undefined)
    if (!kind) throw malformedAcl()
    return { grantee: grantee(kind, required(who, kind), owner), permission }
  })
}

/** The canned ACL a set of grants amounts to, for `settings.acl` (what other code reads). */
function nearestCanned(grants: AclGrant[]): string {
  const has = (uri: string, p: string) => grants.some((g) => g.grantee.type === 'Group' && g.grantee.uri === uri && (g.permission === p || g.permission === 'FULL_CONTROL'))
  if (has(ALL_USERS, 'WRITE')) return 'public-read-write'
  if (has(ALL_USERS, 'READ')) return 'public-read'
  if (has(AUTHENTICATED, 'READ')) return 'authenticated-read'
  return 'private'
}

export interface RequestedAcl {
  canned: string
  /** undefined for a canned ACL. */
  grants?: AclGrant[]
  all: AclGrant[]
}

/** The ACL a request asks for (x-amz-acl, x-amz-grant-*, or with `body`, an AccessControlPolicy), or undefined. */
export function requestedAcl(req: S3Request, state: State, body: Uint8Array | undefined): RequestedAcl | undefined {
  const owner = ownerId(state)
  const canned = req.headers.get('x-amz-acl')
  const fromHeaders = headerGrants(req, owner)
  if (canned !== undefined && !CANNED.includes(canned)) throw errors.invalidArgument(`Invalid canned ACL: ${canned}`, 'x-amz-acl', canned)
  if (canned !== undefined && fromHeaders.length > 0) throw errors.invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed')
  const hasBody = body !== undefined && body.byteLength > 0
  if (hasBody && (canned !== undefined || fromHeaders.length > 0)) throw new S3Error(400, 'UnexpectedContent', 'This request does not support content')
  if (canned !== undefined) return { canned, all: cannedGrants(canned, owner) }
  const grants = hasBody ? bodyGrants(body, owner) : fromHeaders
  if (!hasBody && grants.length === 0) return undefined
  return { canned: nearestCanned(grants), grants, all: grants }
}

export const isOwnerOnly = (acl: RequestedAcl, state: State): boolean => ownerOnly(acl.all, ownerId(state))
export const isPublicAcl = (acl: RequestedAcl): boolean => acl.all.some(isPublic)

export function storeAcl(bucket: Bucket, acl: RequestedAcl): void {
  bucket.settings.acl = acl.canned
  extraOf(bucket).aclGrants = acl.grants
}

/** True when the bucket's ACL grants anything beyond the owner's FULL_CONTROL. */
export function aclBeyondOwner(bucket: Bucket, state: State): boolean {
  const owner = ownerId(state)
  return !ownerOnly(extraOf(bucket).aclGrants ?? cannedGrants(bucket.settings.acl, owner), owner)
}

export function aclXml(bucket: Bucket, state: State): string {
  const owner = ownerId(state)
  const grants = extraOf(bucket).aclGrants ?? cannedGrants(bucket.settings.acl, owner)
  const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
  const grantXml = grants
    .map(({ grantee: g, permission }) => {
      const inner = g.type === 'CanonicalUser' ? `<ID>${g.id}</ID>` : g.type === 'Group' ? `<URI>${escapeXml(g.uri)}</URI>` : `<EmailAddress>${escapeXml(g.email)}</EmailAddress>`
      return `<Grant><Grantee ${xsi} xsi:type="${g.type}">${inner}</Grantee><Permission>${permission}</Permission></Grant>`
    })
    .join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${owner}</ID></Owner><AccessControlList>${grantXml}</AccessControlList></AccessControlPolicy>`
}

/**
 * True when the bucket's ACL grants everyone (AllUsers) `permission` (or FULL_CONTROL), and ACLs count:
 * not under BucketOwnerEnforced, and not ignored by the public access block's IgnorePublicAcls.
 * READ lets anyone list the bucket; WRITE lets anyone write and delete its objects.
 */
export function bucketAclAllowsEveryone(bucket: Bucket, state: State, permission: 'READ' | 'WRITE'): boolean {
  const { ownership, publicAccessBlock } = bucket.settings
  if (ownership === 'BucketOwnerEnforced' || publicAccessBlock.IgnorePublicAcls) return false
  const grants = extraOf(bucket).aclGrants ?? cannedGrants(bucket.settings.acl, ownerId(state))
  return grants.some((g) => g.grantee.type === 'Group' && g.grantee.uri === ALL_USERS && (g.permission === permission || g.permission === 'FULL_CONTROL'))
}
