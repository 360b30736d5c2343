import { describe, expect, it } from 'vitest';
import { billingStateOf, emptyBillingState } from '../../../lambdas/domain/billing-state';

describe('billingStateOf', () => {
  it('is the empty state for a record without billing', () => {
    expect(billingStateOf(undefined)).toEqual(emptyBillingState());
  });

  it('drops disputes without their charge (written before per-object facts): they cannot be tied to a payment', () => {
    // Prepare
    const dispute = { chargeId: 'ch_1', outcome: 'lost' as const, fundsReinstated: false, at: 1 };
    const stored = { disputes: { du_new: dispute, du_old: { outcome: 'lost' } as never }, trialGrantedAt: 5 };

    // Act
    const state = billingStateOf(stored);

    // Assess
    expect(state.disputes).toEqual({ du_new: dispute });
    expect(state).toMatchObject({ invoices: {}, charges: {}, customerDeletedAt: null, trialGrantedAt: 5 });
  });
});
