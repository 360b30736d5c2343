import { describe, expect, it } from 'vitest';
import { accessEndsAt } from '../../../lambdas/domain/subscription-snapshot';
import { snapshot } from './subscription-fixtures';

describe('accessEndsAt', () => {
  it.each([
    ['cancel_at wins, any date', { cancelAt: 500, cancelAtPeriodEnd: false }, 500],
    ['older record: the period end when cancelling at it', { cancelAtPeriodEnd: true, currentPeriodEnd: 300 }, 300],
    ['not cancelling', { cancelAtPeriodEnd: false, cancelAt: null }, null],
  ])('%s', (_name, overrides, expected) => {
    expect(accessEndsAt(snapshot(overrides))).toBe(expected);
  });
});
