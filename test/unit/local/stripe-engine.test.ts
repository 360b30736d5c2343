import { describe, expect, it } from 'vitest';
import { addInterval, diff } from '../../../local/stripe/engine';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('Stripe emulator billing helpers', () => {
  it.each([
    ['2026-01-15T10:00:00Z', 'month', '2026-02-15T10:00:00Z'],
    ['2026-01-31T10:00:00Z', 'month', '2026-02-28T10:00:00Z'],
    ['2028-01-31T00:00:00Z', 'month', '2028-02-29T00:00:00Z'],
    ['2026-03-10T00:00:00Z', 'year', '2027-03-10T00:00:00Z'],
  ] as const)('adds one %s-anchored %s like Stripe (end of month clamps)', (from, interval, expected) => {
    // Act
    const end = addInterval(at(from), { recurring: { interval, interval_count: 1 } });

    // Assess
    expect(new Date(end * 1000).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('reports the old value of every changed top-level key as previous_attributes', () => {
    // Prepare
    const before = { status: 'active', cancel_at_period_end: false, metadata: { a: '1' }, id: 'sub_1' };
    const after = structuredClone(before);
    after.status = 'past_due';
    after.metadata.a = '2';

    // Act
    const previous = diff(before, after);

    // Assess
    expect(previous).toEqual({ status: 'active', metadata: { a: '1' } });
  });
});
