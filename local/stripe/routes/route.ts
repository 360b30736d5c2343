import { asArray, asObject, optInt, optString } from '../coerce';
import type { Billing } from '../context';
import { invalidParameter, missingParameter, noSuch, StripeApiError } from '../errors';
import type { DeliveryLookup } from '../events';
import type { FormObject, FormValue } from '../form';
import type { AllowList } from '../params';
import type { StripeObject } from '../store';

/** One `/v1` endpoint: method, path pattern, allow-list of parameters and the handler. */
export interface ApiContext {
  billing: Billing;
  /** Delivery state of an event (for the Events API's `delivery_success`). */
  delivered: DeliveryLookup;
}

export type Handler = (api: ApiContext, params: FormObject, id: string | undefined) => unknown;

export interface Route {
  method: string;
  pattern: RegExp;
  allow: AllowList;
  run: Handler;
}

const ID = '([A-Za-z0-9_]+)';

export const route = (method: string, path: string, allow: AllowList, run: Handler): Route => ({
  method,
  pattern: new RegExp(`^${path.replace(':id', ID)}$`),
  allow,
  run,
});

export function req(id: string | undefined): string {
  if (!id) throw new StripeApiError(404, 'Unrecognized request URL.');
  return id;
}

/** Stripe's list envelope: newest first, `limit` 1-100 (default 10), `starting_after` / `ending_before`. */
export function list<T extends StripeObject>(items: T[], p: FormObject, url: string) {
  const limit = optInt(p.limit, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidParameter('limit', 'limit must be between 1 and 100');
  const after = optString(p.starting_after, 'starting_after');
  const before = optString(p.ending_before, 'ending_before');
  let start = 0;
  let end = items.length;
  if (after) {
    const index = items.findIndex((x) => x.id === after);
    if (index < 0) throw noSuch('object', after, 'starting_after');
    start = index + 1;
  }
  if (before) {
    const index = items.findIndex((x) => x.id === before);
    if (index < 0) throw noSuch('object', before, 'ending_before');
    end = index;
    start = Math.max(start, end - limit);
  }
  const page = items.slice(start, Math.min(end, start + limit));
  return { object: 'list', data: page, has_more: start + limit < end, url };
}

export function parseItems(value: FormValue | undefined, param: string): { price: string; quantity: number }[] {
  const items = asArray(value);
  if (items.length === 0) throw missingParameter(param);
  return items.map((raw, index) => {
    const item = asObject(raw, `${param}[${index}]`);
    const price = optString(item.price, `${param}[${index}][price]`);
    if (!price) throw missingParameter(`${param}[${index}][price]`);
    const quantity = optInt(item.quantity, `${param}[${index}][quantity]`) ?? 1;
    if (quantity < 1) throw invalidParameter(`${param}[${index}][quantity]`, 'quantity must be at least 1');
    return { price, quantity };
  });
}

/** A timestamp parameter that must lie in the future (or `now` when allowed). */
export function futureTimestamp(billing: Billing, value: FormValue | undefined, param: string): number | undefined {
  const text = optString(value, param);
  if (text === undefined) return undefined;
  if (text === 'now') return billing.now();
  const at = optInt(text, param);
  if (at !== undefined && at <= billing.now())
    throw invalidParameter(param, 'Invalid timestamp: must be in the future');
  return at;
}

/** Stripe validates URL parameters: `url_invalid` "Not a valid URL". */
/**
 * A redirect URL as Stripe checks it: an absolute http(s) URL (`url_invalid` "Not a valid URL" otherwise) of at most
 * 5000 characters (the API reference's limit on these strings, stripe/openapi spec3 `maxLength: 5000`; Stripe answers
 * a longer one 400 "Invalid URL: URL must be 5000 characters or less." on the parameter, as seen from production in
 * https://github.com/vm0-ai/vm0/issues/25340).
 */
export function optUrl(value: FormValue | undefined, param: string): string | undefined {
  const url = optString(value, param);
  if (url === undefined) return undefined;
  if (url.length > 5000) {
    throw new StripeApiError(400, 'Invalid URL: URL must be 5000 characters or less.', { param });
  }
  let valid = false;
  try {
    const parsed = new URL(url);
    valid = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  } catch {
    valid = false;
  }
  if (!valid) throw invalidParameter(param, 'Not a valid URL', 'url_invalid');
  return url;
}

export function oneOf<T extends string>(
  value: FormValue | undefined,
  param: string,
  allowed: readonly T[],
): T | undefined {
  const text = optString(value, param);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) {
    throw invalidParameter(param, `Invalid ${param}: must be one of ${allowed.join(', ')}`);
  }
  return text as T;
}
