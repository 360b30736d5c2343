import { stringList } from './coerce';
import { StripeApiError } from './errors';
import { expandPaths } from './expand';
import { decodeForm } from './form';
import { checkParams } from './params';
import { CATALOG_ROUTES } from './routes/catalog';
import { CHECKOUT_ROUTES } from './routes/checkout';
import { CUSTOMER_ROUTES } from './routes/customers';
import { EVENT_ROUTES } from './routes/events';
import { INVOICE_ROUTES } from './routes/invoices';
import { PAYMENT_ROUTES } from './routes/payments';
import { PORTAL_ROUTES } from './routes/portal';
import type { ApiContext, Route } from './routes/route';
import { SCHEDULE_ROUTES } from './routes/schedules';
import { SUBSCRIPTION_ROUTES } from './routes/subscriptions';

/** The `/v1` REST surface: route, parameter allow-list, one handler, then `expand[]`. Routes live per resource. */

export interface ApiRequest {
  method: string;
  path: string;
  /** Query string and form body, as sent (GET params come in the query, POST/DELETE in the body). */
  query: string;
  body: string;
}

const ROUTES: Route[] = [
  ...CUSTOMER_ROUTES,
  ...CATALOG_ROUTES,
  ...CHECKOUT_ROUTES,
  ...SUBSCRIPTION_ROUTES,
  ...SCHEDULE_ROUTES,
  ...INVOICE_ROUTES,
  ...PAYMENT_ROUTES,
  ...PORTAL_ROUTES,
  ...EVENT_ROUTES,
];

/** Runs one API request; throws StripeApiError for anything Stripe would refuse. */
export function handleApiRequest(api: ApiContext, request: ApiRequest): unknown {
  const match = ROUTES.find((r) => r.method === request.method && r.pattern.test(request.path));
  if (!match) {
    throw new StripeApiError(404, `Unrecognized request URL (${request.method}: ${request.path}).`);
  }
  const id = match.pattern.exec(request.path)?.[1];
  const text = [request.query, request.body].filter(Boolean).join('&');
  checkParams(text, match.allow);
  const params = decodeForm(text);
  const result = match.run(api, params, id);
  const expand = stringList(params.expand, 'expand');
  return expand.length ? expandPaths(api.billing, result, expand) : result;
}
