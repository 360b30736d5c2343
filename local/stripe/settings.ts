import { invalidParameter } from './errors';

/**
 * Account settings the Dashboard holds and the emulator needs: how failed subscription payments are retried and what
 * happens when every retry failed (Billing > Revenue recovery > Retries).
 *
 * Stripe: https://docs.stripe.com/billing/revenue-recovery/smart-retries ("Automate payment retries"): Smart Retries
 * (recommended default: 8 tries within 2 weeks) or a custom schedule of up to 3 retries, each N days after the
 * previous attempt; then the subscription is canceled, marked unpaid or left past_due.
 */
export interface DunningSettings {
  retries: { kind: 'smart'; attempts: number; windowDays: number } | { kind: 'schedule'; daysAfterPrevious: number[] };
  /** What the subscription becomes when the last retry failed. */
  outcome: 'cancel' | 'unpaid' | 'past_due';
}

export interface EmulatorSettings {
  dunning: DunningSettings;
  /**
   * Seconds between `invoice.created` of a renewal and its finalization + payment attempt. Stripe: about one hour
   * (https://docs.stripe.com/billing/invoices/subscription#subscription-renewal).
   */
  renewalFinalizeDelay: number;
  /** Seconds until an async (bank debit) payment settles; ACH Direct Debit takes up to 4 business days in live mode. */
  asyncSettlementDelay: number;
  /** Seconds from a test-card dispute's creation (or evidence submission) to its resolution. */
  disputeResolutionDelay: number;
}

export function defaultSettings(): EmulatorSettings {
  return {
    dunning: { retries: { kind: 'smart', attempts: 8, windowDays: 14 }, outcome: 'cancel' },
    renewalFinalizeDelay: 3600,
    asyncSettlementDelay: 4 * 86400,
    disputeResolutionDelay: 3600,
  };
}

const OUTCOMES = ['cancel', 'unpaid', 'past_due'] as const;

/** Validates a (partial) settings change from the control API or start options. */
export function mergeSettings(current: EmulatorSettings, change: Partial<EmulatorSettings>): EmulatorSettings {
  const next: EmulatorSettings = {
    ...current,
    ...change,
    dunning: { ...current.dunning, ...change.dunning },
  };
  const { retries, outcome } = next.dunning;
  if (!OUTCOMES.includes(outcome)) throw invalidParameter('dunning.outcome', `outcome must be one of ${OUTCOMES}`);
  if (retries.kind === 'smart') {
    if (!(retries.attempts >= 1 && retries.windowDays > 0)) {
      throw invalidParameter('dunning.retries', 'smart retries need attempts >= 1 and windowDays > 0');
    }
  } else if (
    retries.kind !== 'schedule' ||
    retries.daysAfterPrevious.length > 3 ||
    retries.daysAfterPrevious.some((d) => !Number.isInteger(d) || d < 1)
  ) {
    throw invalidParameter('dunning.retries', 'a custom schedule has at most 3 retries of whole days >= 1');
  }
  for (const key of ['renewalFinalizeDelay', 'asyncSettlementDelay', 'disputeResolutionDelay'] as const) {
    if (!Number.isInteger(next[key]) || next[key] < 0) throw invalidParameter(key, `${key} must be an integer >= 0`);
  }
  return next;
}

/**
 * When the next retry of an invoice happens after `attempts` failed attempts (the first at `firstAttemptAt`, the
 * latest at `lastAttemptAt`), or null when the retries are exhausted.
 * Smart Retries pick their times by machine learning; the emulator spreads them evenly over the window.
 */
export function nextRetryAt(
  dunning: DunningSettings,
  attempts: number,
  firstAttemptAt: number,
  lastAttemptAt: number,
): number | null {
  const { retries } = dunning;
  if (retries.kind === 'smart') {
    if (attempts >= retries.attempts) return null;
    const step = Math.floor((retries.windowDays * 86400) / Math.max(1, retries.attempts - 1));
    return firstAttemptAt + attempts * step;
  }
  const days = retries.daysAfterPrevious[attempts - 1];
  return days === undefined ? null : lastAttemptAt + days * 86400;
}
