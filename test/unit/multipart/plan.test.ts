// The part plan: planParts() fixes partSize and partCount when the upload is created, and
// partLength() is what each part URL signs as Content-Length. Concrete sizes first, then a property:
// for any size up to 5 TiB and any part size S3 accepts, the parts add up to the file exactly.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PART_SIZE_BYTES, MAX_MULTIPART_PARTS, MAX_OBJECT_SIZE_BYTES, MAX_PART_SIZE_BYTES, MIN_PART_SIZE_BYTES } from '../../../src/limits.js'
import { partLength, planParts } from '../../../src/multipart/plan.js'
import { thrown } from '../core/fixtures.js'
import { GiB, MiB, TiB } from './setup.js'

const DEFAULT = DEFAULT_PART_SIZE_BYTES

describe('planParts: concrete sizes', () => {
  it.each([
    { name: '1 B', size: 1, partSize: undefined, plan: { partSize: 8 * MiB, partCount: 1 }, last: 1 },
    { name: 'exactly 5 MiB (one part)', size: 5 * MiB, partSize: undefined, plan: { partSize: 8 * MiB, partCount: 1 }, last: 5 * MiB },
    { name: 'exactly 5 MiB at partSize 5 MiB', size: 5 * MiB, partSize: 5 * MiB, plan: { partSize: 5 * MiB, partCount: 1 }, last: 5 * MiB },
    { name: '5 MiB + 1 at partSize 5 MiB (a 1-byte last part)', size: 5 * MiB + 1, partSize: 5 * MiB, plan: { partSize: 5 * MiB, partCount: 2 }, last: 1 },
    { name: '5 MiB + 1 by default (one part)', size: 5 * MiB + 1, partSize: undefined, plan: { partSize: 8 * MiB, partCount: 1 }, last: 5 * MiB + 1 },
    { name: '6 GiB by default', size: 6 * GiB, partSize: undefined, plan: { partSize: 8 * MiB, partCount: 768 }, last: 8 * MiB },
    { name: '10,000 × 8 MiB exactly: the default still fits', size: 10_000 * 8 * MiB, partSize: undefined, plan: { partSize: 8 * MiB, partCount: 10_000 }, last: 8 * MiB },
    { name: 'one byte more: the default grows to 9 MiB', size: 10_000 * 8 * MiB + 1, partSize: undefined, plan: { partSize: 9 * MiB, partCount: 8889 }, last: 8 * MiB + 1 },
    { name: '5 TiB: the default grows to 525 MiB, ≤ 10,000 parts', size: 5 * TiB, partSize: undefined, plan: { partSize: 525 * MiB, partCount: 9987 }, last: 230 * MiB },
    { name: '5 TiB at the largest part (5 GiB)', size: 5 * TiB, partSize: 5 * GiB, plan: { partSize: 5 * GiB, partCount: 1024 }, last: 5 * GiB },
    { name: 'a part size above the file: one part of the file', size: 1000, partSize: 16 * MiB, plan: { partSize: 16 * MiB, partCount: 1 }, last: 1000 },
  ])('$name', ({ size, partSize, plan, last }) => {
    expect(planParts(size, partSize, DEFAULT)).toEqual(plan)
    expect(partLength(plan, size, plan.partCount)).toBe(last)
    if (plan.partCount > 1) expect(partLength(plan, size, 1)).toBe(plan.partSize)
  })

  it('a larger builder default is used as-is when it fits', () => {
    expect(planParts(100 * MiB, undefined, 64 * MiB)).toEqual({ partSize: 64 * MiB, partCount: 2 })
  })
})

describe('planParts: an explicit partSize S3 would refuse → INVALID_REQUEST naming `partSize`', () => {
  it.each([
    { name: 'under 5 MiB', size: 100 * MiB, partSize: 5 * MiB - 1, limit: MIN_PART_SIZE_BYTES, says: ['5242880 bytes (5 MiB)'] },
    { name: '1 MiB', size: 100 * MiB, partSize: MiB, limit: MIN_PART_SIZE_BYTES, says: ['5 MiB'] },
    { name: 'over 5 GiB', size: 100 * GiB, partSize: 5 * GiB + 1, limit: MAX_PART_SIZE_BYTES, says: ['5368709120 bytes (5 GiB)'] },
    { name: 'one that needs 20,480 parts', size: 100 * GiB, partSize: 5 * MiB, limit: MAX_MULTIPART_PARTS, says: ['20480 parts', '10000', `at least ${Math.ceil((100 * GiB) / 10_000)} bytes`] },
    { name: '5 TiB at 5 MiB (1,048,576 parts)', size: 5 * TiB, partSize: 5 * MiB, limit: MAX_MULTIPART_PARTS, says: ['1048576 parts'] },
  ])('$name', ({ size, partSize, limit, says }) => {
    const error = thrown(() => planParts(size, partSize, DEFAULT))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.details).toMatchObject({ option: 'partSize', value: partSize, limit })
    expect(error.message).toContain('`partSize`')
    for (const s of says) expect(error.message).toContain(s)
  })

  it.each([
    { name: 'a fraction', partSize: 5 * MiB + 0.5 },
    { name: 'a string', partSize: '8388608' },
    { name: 'zero', partSize: 0 },
    { name: 'NaN', partSize: Number.NaN },
  ])('$name → INVALID_REQUEST naming `partSize`', ({ partSize }) => {
    const error = thrown(() => planParts(100 * MiB, partSize as number, DEFAULT))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.details?.option).toBe('partSize')
  })

  it('exactly 10,000 parts is allowed; 10,001 is not', () => {
    expect(planParts(10_000 * 5 * MiB, 5 * MiB, DEFAULT)).toEqual({ partSize: 5 * MiB, partCount: 10_000 })
    expect(thrown(() => planParts(10_000 * 5 * MiB + 1, 5 * MiB, DEFAULT)).details).toMatchObject({ option: 'partSize', limit: 10_000 })
  })
})

describe('planParts and partLength: properties', () => {
  const size = fc.integer({ min: 1, max: MAX_OBJECT_SIZE_BYTES })
  const partSize = fc.integer({ min: MIN_PART_SIZE_BYTES, max: MAX_PART_SIZE_BYTES })

  /** The sum over every part, and that each part is in S3's bounds. */
  function check(total: number, plan: { partSize: number; partCount: number }): void {
    expect(plan.partCount).toBeGreaterThanOrEqual(1)
    expect(plan.partCount).toBeLessThanOrEqual(MAX_MULTIPART_PARTS)
    // Plain comparisons in the loop (up to 10,000 parts a run); one expect per finding.
    let sum = 0
    let wrong: string | undefined
    for (let n = 1; n <= plan.partCount; n++) {
      const length = partLength(plan, total, n)
      if (n < plan.partCount ? length !== plan.partSize : length < 1 || length > plan.partSize) wrong ??= `part ${n} is ${length} bytes`
      sum += length
    }
    expect(wrong).toBeUndefined()
    expect(sum).toBe(total)
  }

  it('with an explicit part size: the parts add up to the size, or the plan is refused because it needs > 10,000 parts', () => {
    fc.assert(
      fc.property(size, partSize, (total, ps) => {
        if (Math.ceil(total / ps) > MAX_MULTIPART_PARTS) {
          expect(thrown(() => planParts(total, ps, DEFAULT)).details).toMatchObject({ option: 'partSize', limit: MAX_MULTIPART_PARTS })
          return
        }
        const plan = planParts(total, ps, DEFAULT)
        expect(plan.partSize).toBe(ps)
        check(total, plan)
      }),
      { numRuns: 200 },
    )
  })

  it('with the default: always ≤ 10,000 parts of a whole number of MiB, the smallest such size at or above the default', () => {
    fc.assert(
      fc.property(size, (total) => {
        const plan = planParts(total, undefined, DEFAULT)
        check(total, plan)
        expect(plan.partSize % MiB).toBe(0)
        expect(plan.partSize).toBeGreaterThanOrEqual(DEFAULT)
        expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_SIZE_BYTES)
        // One MiB less would not hold the file in 10,000 parts (unless it is the default itself).
        if (plan.partSize > DEFAULT) expect(Math.ceil(total / (plan.partSize - MiB))).toBeGreaterThan(MAX_MULTIPART_PARTS)
      }),
      { numRuns: 200 },
    )
  })
})
