import { describe, expect, it } from 'vitest';
import { addInterval } from '../../../../local/stripe/periods';
import { type DunningSettings, defaultSettings, mergeSettings, nextRetryAt } from '../../../../local/stripe/settings';

const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (epoch: number) => new Date(epoch * 1000).toISOString();
const DAY = 86400;

describe('billing periods keep the anchor day (https://docs.stripe.com/billing/subscriptions/billing-cycle)', () => {
  it('a subscription anchored on the 31st bills on the last day of shorter months, then on the 31st again', () => {
    // Prepare
    const anchor = at('2026-01-31T10:00:00Z');
    const monthly = { recurring: { interval: 'month' as const, interval_count: 1 } };

    // Act
    const february = addInterval(anchor, monthly, anchor);
    const march = addInterval(february, monthly, anchor);

    // Assess
    expect(iso(february)).toBe('2026-02-28T10:00:00.000Z');
    expect(iso(march)).toBe('2026-03-31T10:00:00.000Z');
  });

  it('counts several intervals (schedule iterations)', () => {
    // Act
    const end = addInterval(
      at('2026-01-15T00:00:00Z'),
      { recurring: { interval: 'month', interval_count: 1 } },
      undefined,
      3,
    );

    // Assess
    expect(iso(end)).toBe('2026-04-15T00:00:00.000Z');
  });
});

describe('retry schedules (https://docs.stripe.com/billing/revenue-recovery/smart-retries)', () => {
  it('Smart Retries default: 8 tries within 2 weeks, spread evenly, then none', () => {
    // Prepare
    const { dunning } = defaultSettings();
    const first = 1_000_000;

    // Act
    const times: (number | null)[] = [];
    for (let attempts = 1; attempts <= 8; attempts += 1) times.push(nextRetryAt(dunning, attempts, first, first));

    // Assess
    expect(times.map((t) => (t === null ? null : (t - first) / DAY))).toEqual([2, 4, 6, 8, 10, 12, 14, null]);
  });

  it('a custom schedule counts days from the previous attempt, at most 3 retries', () => {
    // Prepare
    const dunning: DunningSettings = { retries: { kind: 'schedule', daysAfterPrevious: [3, 5, 7] }, outcome: 'unpaid' };

    // Act
    const second = nextRetryAt(dunning, 1, 0, 100);
    const third = nextRetryAt(dunning, 2, 0, 200);
    const fourth = nextRetryAt(dunning, 3, 0, 300);
    const none = nextRetryAt(dunning, 4, 0, 400);

    // Assess
    expect([second, third, fourth, none]).toEqual([100 + 3 * DAY, 200 + 5 * DAY, 300 + 7 * DAY, null]);
    expect(() =>
      mergeSettings(defaultSettings(), {
        dunning: { retries: { kind: 'schedule', daysAfterPrevious: [1, 2, 3, 4] }, outcome: 'cancel' },
      }),
    ).toThrow(/at most 3 retries/);
    expect(() =>
      mergeSettings(defaultSettings(), { dunning: { ...defaultSettings().dunning, outcome: 'pause' as never } }),
    ).toThrow(/outcome/);
  });
});
