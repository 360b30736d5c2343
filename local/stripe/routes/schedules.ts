import { asArray, asObject, mergeMetadata, optInt, optString } from '../coerce';
import { missingParameter } from '../errors';
import type { FormValue } from '../form';
import { ALLOW } from '../params';
import {
  cancelSchedule,
  createScheduleFromSubscription,
  type PhaseInput,
  releaseSchedule,
  type Schedule,
  updateSchedule,
} from '../schedules';
import { list, oneOf, parseItems, type Route, req, route } from './route';

/** `/v1/subscription_schedules` (https://docs.stripe.com/api/subscription_schedules), `from_subscription` only. */
export const SCHEDULE_ROUTES: Route[] = [
  route('POST', '/v1/subscription_schedules', ALLOW.scheduleCreate, ({ billing }, p) => {
    const from = optString(p.from_subscription, 'from_subscription');
    if (!from) throw missingParameter('from_subscription');
    return createScheduleFromSubscription(billing, from);
  }),
  route('GET', '/v1/subscription_schedules', ALLOW.scheduleList, ({ billing }, p) => {
    const customer = optString(p.customer, 'customer');
    const found = billing.store
      .all('subscription_schedule')
      .filter((s) => customer === undefined || s.customer === customer);
    return list(found, p, '/v1/subscription_schedules');
  }),
  route('GET', '/v1/subscription_schedules/:id', ALLOW.retrieve, ({ billing }, _p, id) =>
    billing.found(req(id), 'subscription_schedule'),
  ),
  route('POST', '/v1/subscription_schedules/:id', ALLOW.scheduleUpdate, ({ billing }, p, id) => {
    const schedule = billing.found<Schedule>(req(id), 'subscription_schedule');
    return updateSchedule(billing, schedule, {
      phases: p.phases === undefined ? undefined : parsePhases(p.phases),
      endBehavior: oneOf(p.end_behavior, 'end_behavior', ['release', 'cancel'] as const),
    });
  }),
  route('POST', '/v1/subscription_schedules/:id/release', ALLOW.scheduleRelease, ({ billing }, _p, id) =>
    releaseSchedule(billing, billing.found<Schedule>(req(id), 'subscription_schedule')),
  ),
  route('POST', '/v1/subscription_schedules/:id/cancel', ALLOW.scheduleCancel, ({ billing }, _p, id) =>
    cancelSchedule(billing, billing.found<Schedule>(req(id), 'subscription_schedule')),
  ),
];

const INTERVALS = ['day', 'week', 'month', 'year'] as const;

/** A phase's `duration` (`interval` x `interval_count`), the current API's replacement of `iterations`. */
function durationOf(value: FormValue | undefined, param: string) {
  if (value === undefined) return {};
  const duration = asObject(value, param);
  const interval = oneOf(duration.interval, `${param}[interval]`, INTERVALS);
  if (!interval) throw missingParameter(`${param}[interval]`);
  return { duration: { interval, count: optInt(duration.interval_count, `${param}[interval_count]`) ?? 1 } };
}

function parsePhases(value: FormValue): PhaseInput[] {
  return asArray(value).map((raw, index) => {
    const param = `phases[${index}]`;
    const phase = asObject(raw, param);
    const start = optString(phase.start_date, `${param}[start_date]`);
    return {
      items: parseItems(phase.items, `${param}[items]`),
      ...(start !== undefined && start !== 'now' ? { start_date: optInt(start, `${param}[start_date]`) } : {}),
      ...(phase.end_date !== undefined ? { end_date: optInt(phase.end_date, `${param}[end_date]`) } : {}),
      ...durationOf(phase.duration, `${param}[duration]`),
      metadata: mergeMetadata({}, phase.metadata, `${param}[metadata]`),
    };
  });
}
