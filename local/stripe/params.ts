import { unknownParameter } from './errors';
import { formKeys, keyPath } from './form';

/**
 * Per-endpoint allow-lists, so a typo in our Stripe calls fails locally like it would against Stripe
 * (`400 parameter_unknown` naming the parameter). Patterns are dot paths over the form key's segments:
 * `#` an array index (`[0]` or `[]`), `*` any single key (maps such as metadata), `**` anything below.
 */
export type AllowList = readonly string[];

const PAGING = ['limit', 'starting_after', 'ending_before', 'expand.#'];
const RANGE = (name: string) => [name, `${name}.gt`, `${name}.gte`, `${name}.lt`, `${name}.lte`];
const METADATA = ['metadata', 'metadata.*'];
const ADDRESS = ['line1', 'line2', 'city', 'state', 'postal_code', 'country'];

const CUSTOMER_FIELDS = [
  'email',
  'name',
  'description',
  'phone',
  ...METADATA,
  'address',
  ...ADDRESS.map((f) => `address.${f}`),
  'preferred_locales.#',
  'payment_method',
  'invoice_settings.default_payment_method',
  'invoice_settings.footer',
  'invoice_settings.custom_fields',
  'invoice_settings.custom_fields.#.name',
  'invoice_settings.custom_fields.#.value',
  'tax_exempt',
  'balance',
  'shipping.**',
  'source',
  'expand.#',
];

const SUBSCRIPTION_COMMON = [
  ...METADATA,
  'items.#.price',
  'items.#.quantity',
  'items.#.metadata',
  'items.#.metadata.*',
  'trial_end',
  'cancel_at_period_end',
  'cancel_at',
  'payment_behavior',
  'default_payment_method',
  'proration_behavior',
  'description',
  'collection_method',
  'days_until_due',
  'off_session',
  'automatic_tax.enabled',
  'discounts.#.coupon',
  'discounts.#.promotion_code',
  'trial_settings.end_behavior.missing_payment_method',
  'payment_settings.**',
  'expand.#',
];

export const ALLOW = {
  customerCreate: [...CUSTOMER_FIELDS, 'test_clock'],
  customerUpdate: CUSTOMER_FIELDS,
  customerList: ['email', ...RANGE('created'), 'test_clock', ...PAGING],
  customerDelete: [],
  retrieve: ['expand.#'],
  priceList: [
    'lookup_keys.#',
    'active',
    'product',
    'type',
    'currency',
    'recurring.interval',
    'recurring.usage_type',
    ...RANGE('created'),
    ...PAGING,
  ],
  productList: ['active', 'ids.#', 'shippable', 'url', ...RANGE('created'), ...PAGING],
  checkoutCreate: [
    'mode',
    'customer',
    'customer_email',
    'client_reference_id',
    'success_url',
    'cancel_url',
    'return_url',
    'ui_mode',
    'locale',
    ...METADATA,
    'line_items.#.price',
    'line_items.#.quantity',
    'subscription_data.metadata',
    'subscription_data.metadata.*',
    'subscription_data.trial_period_days',
    'subscription_data.trial_end',
    'subscription_data.description',
    'subscription_data.trial_settings.end_behavior.missing_payment_method',
    'allow_promotion_codes',
    'automatic_tax.enabled',
    'billing_address_collection',
    'customer_update.address',
    'customer_update.name',
    'customer_update.shipping',
    'payment_method_collection',
    'payment_method_types.#',
    'expires_at',
    'consent_collection.**',
    'tax_id_collection.enabled',
    'discounts.#.coupon',
    'discounts.#.promotion_code',
    'saved_payment_method_options.**',
    'expand.#',
  ],
  checkoutList: ['customer', 'subscription', 'status', 'payment_intent', ...RANGE('created'), ...PAGING],
  checkoutExpire: ['expand.#'],
  subscriptionCreate: ['customer', 'trial_period_days', 'billing_cycle_anchor', ...SUBSCRIPTION_COMMON],
  subscriptionUpdate: [
    ...SUBSCRIPTION_COMMON,
    'items.#.id',
    'items.#.deleted',
    'proration_date',
    'billing_cycle_anchor',
    'pause_collection',
    'pause_collection.behavior',
    'pause_collection.resumes_at',
    'cancellation_details.comment',
    'cancellation_details.feedback',
  ],
  subscriptionCancel: [
    'invoice_now',
    'prorate',
    'cancellation_details.comment',
    'cancellation_details.feedback',
    'expand.#',
  ],
  subscriptionList: [
    'customer',
    'status',
    'price',
    'collection_method',
    'test_clock',
    ...RANGE('created'),
    ...RANGE('current_period_end'),
    ...RANGE('current_period_start'),
    ...PAGING,
  ],
  portalCreate: ['customer', 'return_url', 'configuration', 'locale', 'on_behalf_of', 'flow_data.**', 'expand.#'],
  invoiceList: ['customer', 'subscription', 'status', 'collection_method', ...RANGE('created'), ...PAGING],
  eventList: ['type', 'types.#', 'delivery_success', ...RANGE('created'), ...PAGING],
} as const satisfies Record<string, AllowList>;

function matches(pattern: string[], path: string[]): boolean {
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i];
    const got = path[i];
    if (want === '**') return got !== undefined;
    if (got === undefined) return false;
    if (want === '#' ? !/^\d*$/.test(got) : want !== '*' && want !== got) return false;
    if (want === '*' && got === '') return false;
  }
  return pattern.length === path.length;
}

/** Throws `parameter_unknown` for the first form key no pattern allows. */
export function checkParams(formText: string, allow: AllowList): void {
  const patterns = allow.map((p) => p.split('.'));
  for (const key of formKeys(formText)) {
    const path = keyPath(key);
    if (!patterns.some((pattern) => matches(pattern, path))) {
      // Stripe names the first unknown segment, e.g. `line_items[0][pricee]`.
      throw unknownParameter(key);
    }
  }
}
