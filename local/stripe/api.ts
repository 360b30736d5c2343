import { asArray, asObject, mergeMetadata, optBool, optInt, optString, stringList } from './coerce';
import type { Customer, Price, StripeEngine, Subscription } from './engine';
import { invalidParameter, missingParameter, noSuch, StripeApiError } from './errors';
import { decodeForm, type FormObject } from './form';
import { ALLOW, type AllowList, checkParams } from './params';
import type { StripeObject } from './store';

/** The `/v1` REST surface: parameter checks, then one engine call, then list paging and `expand`. */

export interface ApiRequest {
  method: string;
  path: string;
  /** Query string and form body, as sent (GET params come in the query, POST/DELETE in the body). */
  query: string;
  body: string;
}

type Handler = (engine: StripeEngine, params: FormObject, id: string | undefined) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  allow: AllowList;
  run: Handler;
}

const ID = '([A-Za-z0-9_]+)';
const route = (method: string, path: string, allow: AllowList, run: Handler): Route => ({
  method,
  pattern: new RegExp(`^${path.replace(':id', ID)}$`),
  allow,
  run,
});

const ROUTES: Route[] = [
  route('POST', '/v1/customers', ALLOW.customerCreate, (engine, p) =>
    engine.createCustomer({
      email: optString(p.email, 'email'),
      name: optString(p.name, 'name'),
      description: optString(p.description, 'description'),
      phone: optString(p.phone, 'phone'),
      metadata: mergeMetadata({}, p.metadata),
    }),
  ),
  route('GET', '/v1/customers', ALLOW.customerList, (engine, p) => {
    const email = optString(p.email, 'email');
    // Stripe's email filter is exact and case-sensitive.
    return list(
      engine.store.all<Customer>('customer').filter((c) => !c.deleted && (email === undefined || c.email === email)),
      p,
      '/v1/customers',
    );
  }),
  route('GET', '/v1/customers/:id', ALLOW.retrieve, (engine, _p, id) => {
    const customer = engine.customer(req(id));
    // Stripe answers a deleted customer with a stub, not a 404.
    return customer.deleted ? { id: customer.id, object: 'customer', deleted: true } : customer;
  }),
  route('POST', '/v1/customers/:id', ALLOW.customerUpdate, (engine, p, id) =>
    engine.updateCustomer(req(id), (customer) => {
      for (const field of ['email', 'name', 'description', 'phone'] as const) {
        const value = optString(p[field], field);
        if (value !== undefined) customer[field] = value === '' ? null : value;
      }
      customer.metadata = mergeMetadata(customer.metadata, p.metadata);
    }),
  ),
  route('DELETE', '/v1/customers/:id', ALLOW.customerDelete, (engine, _p, id) => engine.deleteCustomer(req(id))),

  route('GET', '/v1/products', ALLOW.productList, (engine, p) => {
    const active = optBool(p.active, 'active');
    const ids = p.ids === undefined ? undefined : new Set(stringList(p.ids, 'ids'));
    return list(
      engine.store
        .all('product')
        .filter((x) => (active === undefined || x.active === active) && (!ids || ids.has(x.id))),
      p,
      '/v1/products',
    );
  }),
  route('GET', '/v1/products/:id', ALLOW.retrieve, (engine, _p, id) => {
    const product = engine.store.get(req(id), 'product');
    if (!product) throw noSuch('product', req(id));
    return product;
  }),
  route('GET', '/v1/prices', ALLOW.priceList, (engine, p) => {
    const keys = p.lookup_keys === undefined ? undefined : new Set(stringList(p.lookup_keys, 'lookup_keys'));
    const active = optBool(p.active, 'active');
    const product = optString(p.product, 'product');
    const type = optString(p.type, 'type');
    const interval = optString(asObject(p.recurring, 'recurring').interval, 'recurring[interval]');
    return list(
      engine.store
        .all<Price>('price')
        .filter(
          (x) =>
            (!keys || (x.lookup_key !== null && keys.has(x.lookup_key))) &&
            (active === undefined || x.active === active) &&
            (product === undefined || x.product === product) &&
            (type === undefined || x.type === type) &&
            (interval === undefined || x.recurring?.interval === interval),
        ),
      p,
      '/v1/prices',
    );
  }),
  route('GET', '/v1/prices/:id', ALLOW.retrieve, (engine, _p, id) => engine.price(req(id))),

  route('POST', '/v1/checkout/sessions', ALLOW.checkoutCreate, createCheckoutSession),
  route('GET', '/v1/checkout/sessions', ALLOW.checkoutList, (engine, p) => {
    const customer = optString(p.customer, 'customer');
    const subscription = optString(p.subscription, 'subscription');
    const status = optString(p.status, 'status');
    return list(
      engine.store
        .all('checkout.session')
        .filter(
          (s) =>
            (customer === undefined || s.customer === customer) &&
            (subscription === undefined || s.subscription === subscription) &&
            (status === undefined || s.status === status),
        ),
      p,
      '/v1/checkout/sessions',
    );
  }),
  route('GET', '/v1/checkout/sessions/:id', ALLOW.retrieve, (engine, _p, id) => {
    const session = engine.store.get(req(id), 'checkout.session');
    if (!session) throw noSuch('checkout.session', req(id));
    return session;
  }),
  route('POST', '/v1/checkout/sessions/:id/expire', ALLOW.checkoutExpire, (engine, _p, id) =>
    engine.expireCheckout(req(id)),
  ),

  route('POST', '/v1/subscriptions', ALLOW.subscriptionCreate, (engine, p) => {
    const customer = optString(p.customer, 'customer');
    if (!customer) throw missingParameter('customer');
    const trialDays = optInt(p.trial_period_days, 'trial_period_days');
    const trialEnd = parseTrialEnd(engine, p.trial_end, 'trial_end');
    const created = engine.createSubscription({
      customer,
      items: parseItems(p.items, 'items'),
      metadata: mergeMetadata({}, p.metadata),
      trialEnd: trialEnd ?? (trialDays ? engine.now() + trialDays * 86400 : undefined),
      param: 'items',
    });
    if (optBool(p.cancel_at_period_end, 'cancel_at_period_end')) {
      return engine.updateSubscription(created.subscription.id, (s) => setCancelAtPeriodEnd(engine, s, true));
    }
    return created.subscription;
  }),
  route('GET', '/v1/subscriptions', ALLOW.subscriptionList, (engine, p) => {
    const customer = optString(p.customer, 'customer');
    const status = optString(p.status, 'status') ?? 'default';
    const price = optString(p.price, 'price');
    const valid = [
      'active',
      'all',
      'canceled',
      'ended',
      'incomplete',
      'incomplete_expired',
      'past_due',
      'paused',
      'trialing',
      'unpaid',
    ];
    if (status !== 'default' && !valid.includes(status)) {
      throw invalidParameter('status', `Invalid status: must be one of ${valid.join(', ')}`);
    }
    const statusMatches = (s: Subscription) =>
      status === 'all' ||
      (status === 'default' && s.status !== 'canceled' && s.status !== 'incomplete_expired') ||
      (status === 'ended' && (s.status === 'canceled' || s.status === 'incomplete_expired')) ||
      s.status === status;
    return list(
      engine.store
        .all<Subscription>('subscription')
        .filter(
          (s) =>
            (customer === undefined || s.customer === customer) &&
            statusMatches(s) &&
            (price === undefined || s.items.data.some((i) => i.price.id === price)),
        ),
      p,
      '/v1/subscriptions',
    );
  }),
  route('GET', '/v1/subscriptions/:id', ALLOW.retrieve, (engine, _p, id) => engine.subscription(req(id))),
  route('POST', '/v1/subscriptions/:id', ALLOW.subscriptionUpdate, updateSubscription),
  route('DELETE', '/v1/subscriptions/:id', ALLOW.subscriptionCancel, (engine, _p, id) =>
    engine.cancelSubscription(req(id)),
  ),

  route('POST', '/v1/billing_portal/sessions', ALLOW.portalCreate, (engine, p) => {
    const customer = optString(p.customer, 'customer');
    if (!customer) throw missingParameter('customer');
    return engine.createPortalSession(
      customer,
      optString(p.return_url, 'return_url') ?? null,
      optString(p.locale, 'locale') ?? null,
    );
  }),

  route('GET', '/v1/invoices', ALLOW.invoiceList, (engine, p) => {
    const customer = optString(p.customer, 'customer');
    const subscription = optString(p.subscription, 'subscription');
    const status = optString(p.status, 'status');
    return list(
      engine.store.all('invoice').filter((i) => {
        const parent = i.parent as { subscription_details?: { subscription?: string } } | null;
        return (
          (customer === undefined || i.customer === customer) &&
          (subscription === undefined || parent?.subscription_details?.subscription === subscription) &&
          (status === undefined || i.status === status)
        );
      }),
      p,
      '/v1/invoices',
    );
  }),
  route('GET', '/v1/invoices/:id', ALLOW.retrieve, (engine, _p, id) => {
    const invoice = engine.store.get(req(id), 'invoice');
    if (!invoice) throw noSuch('invoice', req(id));
    return invoice;
  }),
  route('GET', '/v1/events', ALLOW.eventList, (engine, p) => {
    const type = optString(p.type, 'type');
    const types = p.types === undefined ? undefined : new Set(stringList(p.types, 'types'));
    return list(
      engine.store
        .all('event')
        .filter((e) => (type === undefined || e.type === type) && (!types || types.has(String(e.type)))),
      p,
      '/v1/events',
    );
  }),
  route('GET', '/v1/events/:id', ALLOW.retrieve, (engine, _p, id) => {
    const event = engine.store.get(req(id), 'event');
    if (!event) throw noSuch('event', req(id));
    return event;
  }),
];

/** Runs one API request; throws StripeApiError for anything Stripe would refuse. */
export function handleApiRequest(engine: StripeEngine, request: ApiRequest): unknown {
  const candidates = ROUTES.filter((r) => r.pattern.test(request.path));
  const match = candidates.find((r) => r.method === request.method);
  if (!match) {
    throw new StripeApiError(404, `Unrecognized request URL (${request.method}: ${request.path}).`);
  }
  const id = match.pattern.exec(request.path)?.[1];
  const text = [request.query, request.body].filter(Boolean).join('&');
  checkParams(text, match.allow);
  const params = decodeForm(text);
  const result = match.run(engine, params, id);
  const expand = stringList(params.expand, 'expand');
  return expand.length ? expandPaths(engine, result, expand) : result;
}

function req(id: string | undefined): string {
  if (!id) throw new StripeApiError(404, 'Unrecognized request URL.');
  return id;
}

function list<T extends StripeObject>(items: T[], p: FormObject, url: string) {
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

function parseItems(value: FormObject[string] | undefined, param: string): { price: string; quantity: number }[] {
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

function parseTrialEnd(engine: StripeEngine, value: FormObject[string] | undefined, param: string): number | undefined {
  const text = optString(value, param);
  if (text === undefined) return undefined;
  if (text === 'now') return engine.now();
  const at = optInt(text, param);
  if (at !== undefined && at <= engine.now()) throw invalidParameter(param, 'Invalid timestamp: must be in the future');
  return at;
}

function createCheckoutSession(engine: StripeEngine, p: FormObject): StripeObject {
  const mode = optString(p.mode, 'mode');
  if (!mode) throw missingParameter('mode');
  if (mode !== 'subscription') {
    throw invalidParameter('mode', `The local emulator supports mode=subscription only (got ${mode}).`);
  }
  const customer = optString(p.customer, 'customer');
  const customerEmail = optString(p.customer_email, 'customer_email');
  if (customer && customerEmail) {
    throw invalidParameter('customer_email', 'You may only specify one of these parameters: customer, customer_email.');
  }
  if (customer) engine.liveCustomer(customer, 'customer');
  const lineItems = parseItems(p.line_items, 'line_items');
  lineItems.forEach((item, index) => {
    const price = engine.price(item.price, `line_items[${index}][price]`);
    if (!price.recurring) {
      throw invalidParameter(
        `line_items[${index}][price]`,
        'You must specify at least one recurring price in subscription mode.',
      );
    }
  });
  const subscriptionData = asObject(p.subscription_data, 'subscription_data');
  const trialPeriodDays = optInt(subscriptionData.trial_period_days, 'subscription_data[trial_period_days]');
  if (trialPeriodDays !== undefined && (trialPeriodDays < 1 || trialPeriodDays > 730)) {
    throw invalidParameter('subscription_data[trial_period_days]', 'trial_period_days must be between 1 and 730');
  }
  const trialEnd = optInt(subscriptionData.trial_end, 'subscription_data[trial_end]');
  const successUrl = optString(p.success_url, 'success_url');
  const cancelUrl = optString(p.cancel_url, 'cancel_url');
  for (const [param, url] of [
    ['success_url', successUrl],
    ['cancel_url', cancelUrl],
  ] as const) {
    if (url !== undefined && !/^https?:\/\//.test(url)) throw invalidParameter(param, 'Not a valid URL');
  }
  const amount = lineItems.reduce((sum, item) => sum + engine.price(item.price).unit_amount * item.quantity, 0);
  return engine.createCheckoutSession(
    {
      id: '',
      object: 'checkout.session',
      allow_promotion_codes: optBool(p.allow_promotion_codes, 'allow_promotion_codes') ?? null,
      amount_subtotal: amount,
      amount_total: amount,
      automatic_tax: { enabled: false, liability: null, status: null },
      billing_address_collection: optString(p.billing_address_collection, 'billing_address_collection') ?? null,
      cancel_url: cancelUrl ?? null,
      client_reference_id: optString(p.client_reference_id, 'client_reference_id') ?? null,
      currency: engine.price((lineItems[0] as { price: string }).price).currency,
      customer: customer ?? null,
      customer_creation: customer ? null : 'always',
      customer_details: null,
      customer_email: customerEmail ?? null,
      locale: optString(p.locale, 'locale') ?? null,
      metadata: mergeMetadata({}, p.metadata),
      mode,
      payment_method_collection: optString(p.payment_method_collection, 'payment_method_collection') ?? 'always',
      payment_method_types: ['card'],
      success_url: successUrl ?? null,
      ui_mode: optString(p.ui_mode, 'ui_mode') ?? 'hosted',
    },
    {
      lineItems,
      subscriptionMetadata: mergeMetadata({}, subscriptionData.metadata, 'subscription_data[metadata]'),
      ...(trialPeriodDays !== undefined ? { trialPeriodDays } : {}),
      ...(trialEnd !== undefined ? { trialEnd } : {}),
    },
  );
}

function setCancelAtPeriodEnd(engine: StripeEngine, s: Subscription, value: boolean): void {
  s.cancel_at_period_end = value;
  s.cancel_at = value ? (s.items.data[0]?.current_period_end ?? null) : null;
  s.canceled_at = value ? engine.now() : null;
  s.cancellation_details = { comment: null, feedback: null, reason: value ? 'cancellation_requested' : null };
}

function updateSubscription(engine: StripeEngine, p: FormObject, id: string | undefined): Subscription {
  const current = engine.subscription(req(id));
  const onlyMetadata = Object.keys(p).every(
    (key) => key === 'metadata' || key === 'expand' || key === 'cancellation_details',
  );
  if (!onlyMetadata) engine.assertUpdatable(current);
  const trialEnd = optString(p.trial_end, 'trial_end');
  const updated = engine.updateSubscription(req(id), (s) => {
    s.metadata = mergeMetadata(s.metadata, p.metadata);
    const cancelAtPeriodEnd = optBool(p.cancel_at_period_end, 'cancel_at_period_end');
    if (cancelAtPeriodEnd !== undefined) setCancelAtPeriodEnd(engine, s, cancelAtPeriodEnd);
    const cancelAt = optString(p.cancel_at, 'cancel_at');
    if (cancelAt !== undefined) {
      s.cancel_at = cancelAt === '' ? null : (optInt(cancelAt, 'cancel_at') ?? null);
      s.cancel_at_period_end = false;
    }
    asArray(p.items).forEach((raw, index) => {
      const item = asObject(raw, `items[${index}]`);
      const itemId = optString(item.id, `items[${index}][id]`);
      if (optBool(item.deleted, `items[${index}][deleted]`)) {
        if (!itemId) throw missingParameter(`items[${index}][id]`);
        s.items.data = s.items.data.filter((x) => x.id !== itemId);
        s.items.total_count = s.items.data.length;
        return;
      }
      const price = optString(item.price, `items[${index}][price]`);
      const quantity = optInt(item.quantity, `items[${index}][quantity]`);
      if (price) engine.changePrice(s, itemId, price, quantity ?? 1, `items[${index}][price]`);
      else if (quantity !== undefined && itemId) {
        const existing = s.items.data.find((x) => x.id === itemId);
        if (!existing) throw noSuch('subscription_item', itemId, `items[${index}][id]`);
        existing.quantity = quantity;
      }
    });
    if (s.items.data.length === 0) throw invalidParameter('items', 'A subscription must have at least one item.');
  });
  if (trialEnd === 'now' && updated.status === 'trialing') engine.endTrialNow(updated);
  else if (trialEnd !== undefined && trialEnd !== 'now') {
    const at = parseTrialEnd(engine, trialEnd, 'trial_end');
    engine.updateSubscription(updated.id, (s) => {
      s.trial_end = at ?? null;
      for (const item of s.items.data) item.current_period_end = at ?? item.current_period_end;
    });
  }
  return updated;
}

// ---- expand ---------------------------------------------------------------------------------------------------

const EXPANDABLE: Record<string, string> = {
  cus_: 'customer',
  sub_: 'subscription',
  price_: 'price',
  prod_: 'product',
  in_: 'invoice',
  cs_: 'checkout.session',
};

/** Stripe's `expand[]`: replaces ids along each dot path with the objects (lists walk their `data`). */
function expandPaths(engine: StripeEngine, value: unknown, paths: string[]): unknown {
  const copy = structuredClone(value);
  const lazy: ExpandContext = {};
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4)
      throw invalidParameter('expand', `You cannot expand more than 4 levels of a property (${path}).`);
    expandAt(engine, copy, segments, path, lazy);
  }
  return copy;
}

/** Per-request index for `subscriptions` on customers (a customer list expands it 100 times per page). */
interface ExpandContext {
  subscriptionsByCustomer?: Map<string, Subscription[]>;
}

const ENDED_SUBSCRIPTION_STATUSES = new Set(['canceled', 'incomplete_expired']);

/**
 * `customer.subscriptions` is not part of a customer (since API 2020-08-27) but can be expanded: Stripe embeds a
 * list of the customer's current subscriptions (not canceled), the first 10, with `has_more`.
 */
function customerSubscriptions(engine: StripeEngine, customerId: string, context: ExpandContext) {
  if (!context.subscriptionsByCustomer) {
    const index = new Map<string, Subscription[]>();
    for (const sub of engine.store.all<Subscription>('subscription')) {
      if (ENDED_SUBSCRIPTION_STATUSES.has(sub.status)) continue;
      index.set(sub.customer, [...(index.get(sub.customer) ?? []), sub]);
    }
    context.subscriptionsByCustomer = index;
  }
  const all = context.subscriptionsByCustomer.get(customerId) ?? [];
  return {
    object: 'list',
    data: structuredClone(all.slice(0, 10)),
    has_more: all.length > 10,
    total_count: all.length,
    url: `/v1/customers/${customerId}/subscriptions`,
  };
}

function expandAt(
  engine: StripeEngine,
  holder: unknown,
  segments: string[],
  path: string,
  context: ExpandContext = {},
): void {
  const [head, ...rest] = segments;
  if (head === undefined || typeof holder !== 'object' || holder === null) return;
  const record = holder as Record<string, unknown>;
  if (Array.isArray(holder)) {
    for (const entry of holder) expandAt(engine, entry, segments, path, context);
    return;
  }
  if (head === 'subscriptions' && record.object === 'customer' && !(head in record)) {
    record[head] = customerSubscriptions(engine, String(record.id), context);
  }
  if (!(head in record)) throw invalidParameter('expand', `This property cannot be expanded (${path}).`);
  let target = record[head];
  if (typeof target === 'string') {
    const prefix = Object.keys(EXPANDABLE).find((p) => (target as string).startsWith(p));
    const found = prefix ? engine.store.get(target, EXPANDABLE[prefix]) : undefined;
    if (!found) throw invalidParameter('expand', `This property cannot be expanded (${path}).`);
    target = structuredClone(found);
    record[head] = target;
  }
  if (rest.length) expandAt(engine, target, rest, path, context);
}
