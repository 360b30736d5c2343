import type { Price } from './types';

/**
 * Adds one billing interval (calendar months/years in UTC). Stripe keeps the billing cycle anchor's day of month:
 * a subscription anchored on the 31st bills on the last day of shorter months and on the 31st again after that
 * (https://docs.stripe.com/billing/subscriptions/billing-cycle), so pass the anchor when there is one.
 */
export function addInterval(from: number, price: Pick<Price, 'recurring'>, anchor?: number, count = 1): number {
  const interval = price.recurring?.interval ?? 'month';
  const intervals = (price.recurring?.interval_count ?? 1) * count;
  if (interval === 'day') return from + intervals * 86400;
  if (interval === 'week') return from + intervals * 7 * 86400;
  const date = new Date(from * 1000);
  const months = interval === 'year' ? 12 * intervals : intervals;
  const day = anchor === undefined ? date.getUTCDate() : new Date(anchor * 1000).getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return Math.floor(date.getTime() / 1000);
}
