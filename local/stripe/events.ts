import { asObject, optBool, optInt, optString, stringList } from './coerce';
import type { Billing } from './context';
import { invalidParameter, noSuch, StripeApiError } from './errors';
import type { FormObject, FormValue } from './form';
import type { StripeEvent } from './types';

/**
 * The Events API (https://docs.stripe.com/api/events/list, /retrieve): events of the last 30 days, newest first;
 * `type` (one type, or a group with `*`), `types[]` (up to 20 exact types, not with `type`), `created` (a timestamp
 * or `gt/gte/lt/lte`), `delivery_success` (whether every webhook delivery of the event succeeded).
 */

export const EVENT_RETENTION_SECONDS = 30 * 86400;

/** Delivery state of an event for `delivery_success`: true / false once decided, undefined while pending. */
export type DeliveryLookup = (eventId: string) => boolean | undefined;

export function retrieveEvent(billing: Billing, id: string): StripeEvent {
  const event = billing.store.get<StripeEvent>(id, 'event');
  if (!event || event.created < billing.now() - EVENT_RETENTION_SECONDS) throw noSuch('event', id);
  return event;
}

export function filterEvents(billing: Billing, p: FormObject, delivered: DeliveryLookup): StripeEvent[] {
  const type = optString(p.type, 'type');
  const types = p.types === undefined ? undefined : stringList(p.types, 'types');
  if (type !== undefined && types !== undefined) {
    throw new StripeApiError(400, 'You may only specify one of these parameters: type, types.', { param: 'types' });
  }
  if (types && types.length > 20) throw invalidParameter('types', 'You may pass at most 20 types.');
  const matchType = typeMatcher(type, types);
  const inRange = createdFilter(p.created);
  const success = optBool(p.delivery_success, 'delivery_success');
  const horizon = billing.now() - EVENT_RETENTION_SECONDS;
  return billing.store
    .all<StripeEvent>('event')
    .filter(
      (e) =>
        e.created >= horizon &&
        matchType(e.type) &&
        inRange(e.created) &&
        (success === undefined || delivered(e.id) === success),
    );
}

function typeMatcher(type: string | undefined, types: string[] | undefined): (value: string) => boolean {
  if (types) {
    const set = new Set(types);
    return (value) => set.has(value);
  }
  if (type === undefined) return () => true;
  if (!type.includes('*')) return (value) => value === type;
  const pattern = new RegExp(`^${type.split('*').map(escapeRegExp).join('[^]*')}$`);
  return (value) => pattern.test(value);
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Stripe's range filter: `created=ts` or `created[gt|gte|lt|lte]=ts`. */
export function createdFilter(value: FormValue | undefined, param = 'created'): (created: number) => boolean {
  if (value === undefined) return () => true;
  if (typeof value === 'string') {
    const exact = optInt(value, param);
    return (created) => exact === undefined || created === exact;
  }
  const range = asObject(value, param);
  const bound = (key: string) => optInt(range[key], `${param}[${key}]`);
  const [gt, gte, lt, lte] = [bound('gt'), bound('gte'), bound('lt'), bound('lte')];
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}
