import { describe, expect, it } from 'vitest';
import {
  type EntitlementOverride,
  evaluateAtRead,
  initialEntitlementRecord,
  SUBSCRIPTION_STATUSES,
  type SubscriptionStatus,
} from '../../../lambdas/domain/entitlement';
import { beneathOf, overrideActive, sourceOf, withOverride } from '../../../lambdas/domain/entitlement-override';
import { computeEntitlement } from '../../../lambdas/domain/entitlement-policy';
import { currentEntitlement } from '../../../lambdas/domain/trial';
import { catalog, day, PHASES, periodStart, policy, snapshot, trialEnd } from './subscription-fixtures';

/** An override of `business` granted at the period start; its end falls between the early and the late phase. */
const overrideEnd = new Date((periodStart + 10 * day) * 1000).toISOString();
const override = (endsAt: string | null = overrideEnd): EntitlementOverride => ({
  plan: 'business',
  endsAt,
  reason: 'partner deal',
  operator: { sub: 'op-1', email: 'op@example.com' },
  grantedAt: new Date(periodStart * 1000).toISOString(),
});

type OverrideState = 'active' | 'ended' | 'until revoked' | 'revoked';
/** The override the record holds in each state, and the moment it is judged at. */
const STATES: Record<OverrideState, { override: EntitlementOverride | undefined; at: Date }> = {
  active: { override: override(), at: PHASES.early },
  ended: { override: override(), at: PHASES.late },
  'until revoked': { override: override(null), at: PHASES.late },
  revoked: { override: undefined, at: PHASES.early },
};

const stripeSide = (status: SubscriptionStatus, at: Date) =>
  computeEntitlement([snapshot({ status, trialEnd: status === 'trialing' ? trialEnd : null })], catalog, at, policy);

const TABLE = SUBSCRIPTION_STATUSES.flatMap((status) =>
  (Object.keys(STATES) as OverrideState[]).map((state) => [status, state] as const),
);

describe('override merged by the policy: every Stripe status x override state', () => {
  it.each(TABLE)('Stripe %s, override %s', (status, state) => {
    // Prepare
    const { override: held, at } = STATES[state];
    const beneath = stripeSide(status, at);
    const wins = state === 'active' || state === 'until revoked';

    // Act: the write path's merge at `at`
    const written = withOverride(beneath, held, catalog, at);

    // Assess: an active override wins; otherwise the Stripe state stands, and an ended override is dropped
    if (wins) {
      expect(written).toMatchObject({ plan: 'business', status: 'active', entitled: true, groups: ['business'] });
      expect(written.features).toEqual(catalog.plan('business').features);
      expect(written.override).toEqual(held);
      expect(written.beneath).toEqual(beneath);
    } else {
      const { override: _o, beneath: _b, ...entitlement } = written;
      expect(entitlement).toEqual(beneath);
      expect(written.override).toBeUndefined();
      expect(written.beneath).toBeUndefined();
    }
    const record = { ...initialEntitlementRecord(catalog, { sub: 'u' }, at), ...written };
    expect(sourceOf(currentEntitlement(record, catalog, at), record, at)).toBe(
      wins ? 'override' : beneath.entitled ? 'stripe' : 'free',
    );
  });

  it.each(SUBSCRIPTION_STATUSES)(
    'Stripe %s: after the end date, reads show the Stripe state without a write',
    (status) => {
      // Prepare: written while the override was active
      const written = withOverride(stripeSide(status, PHASES.early), override(), catalog, PHASES.early);
      const record = { ...initialEntitlementRecord(catalog, { sub: 'u' }, PHASES.early), ...written };

      // Act
      const before = currentEntitlement(record, catalog, PHASES.early);
      const after = currentEntitlement(record, catalog, PHASES.late);

      // Assess: the stored Stripe state, with time applied, takes over
      expect(before.plan).toBe('business');
      expect(after).toEqual(evaluateAtRead(beneathOf(record), catalog, PHASES.late));
      expect(sourceOf(after, record, PHASES.late)).not.toBe('override');
    },
  );

  it('the end date is exclusive: at the instant it ends the override no longer applies', () => {
    expect(overrideActive(override(), new Date(Date.parse(overrideEnd) - 1))).toBe(true);
    expect(overrideActive(override(), new Date(overrideEnd))).toBe(false);
    expect(overrideActive(override(null), new Date('2100-01-01T00:00:00Z'))).toBe(true);
    expect(overrideActive(undefined, PHASES.early)).toBe(false);
  });

  it('an override of free takes access away while active', () => {
    const written = withOverride(
      stripeSide('active', PHASES.early),
      { ...override(), plan: 'free' },
      catalog,
      PHASES.early,
    );
    expect(written).toMatchObject({ plan: 'free', entitled: false, groups: ['free'] });
  });

  it('the no-card trial beneath an override shows as source trial once the override ends', () => {
    // Prepare
    const trial = { ...initialEntitlementRecord(catalog, { sub: 'u' }, PHASES.early) };
    const beneath = {
      ...trial,
      status: 'trialing' as const,
      plan: 'trial' as const,
      entitled: true,
      groups: ['trial'],
    };
    const trialView = { ...beneath, trialEndsAt: new Date((periodStart + 30 * day) * 1000).toISOString() };
    const { cognito_sub: _s, ...entitlement } = trialView;
    const record = { ...trial, ...withOverride(entitlement as never, override(), catalog, PHASES.early) };

    // Act
    const after = currentEntitlement(record, catalog, PHASES.late);

    // Assess
    expect(after.plan).toBe('trial');
    expect(sourceOf(after, record, PHASES.late)).toBe('trial');
  });
});
