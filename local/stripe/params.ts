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
  'invoice_settings.rendering_options.**',
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

const PRODUCT_FIELDS = [
  'name',
  'active',
  'description',
  'default_price',
  'tax_code',
  'unit_label',
  'url',
  ...METADATA,
  'expand.#',
];
const PRICE_FIELDS = [
  'active',
  'lookup_key',
  'transfer_lookup_key',
  'nickname',
  'tax_behavior',
  ...METADATA,
  'expand.#',
];
const PORTAL_CONFIGURATION = [
  'business_profile.headline',
  'business_profile.privacy_policy_url',
  'business_profile.terms_of_service_url',
  'default_return_url',
  'features.**',
  'login_page.enabled',
  'name',
  ...METADATA,
  'expand.#',
];

export const ALLOW = {
  customerCreate: [...CUSTOMER_FIELDS, 'test_clock'],
  customerUpdate: CUSTOMER_FIELDS.filter((field) => field !== 'payment_method'),
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
    'payment_intent_data.metadata',
    'payment_intent_data.metadata.*',
    'payment_intent_data.description',
    'subscription_data.default_tax_rates.#',
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
  subscriptionResume: [
    'billing_cycle_anchor.type',
    'payment_behavior',
    'proration_behavior',
    'proration_date',
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
  portalConfigurationCreate: PORTAL_CONFIGURATION,
  portalConfigurationUpdate: [...PORTAL_CONFIGURATION, 'active'],
  portalConfigurationList: ['active', 'is_default', ...PAGING],
  invoiceList: ['customer', 'subscription', 'status', 'collection_method', ...RANGE('created'), ...PAGING],
  invoicePaymentList: ['invoice', 'payment.type', 'payment.payment_intent', 'status', ...RANGE('created'), ...PAGING],
  invoicePay: ['payment_method', 'off_session', 'paid_out_of_band', 'forgive', 'source', 'expand.#'],
  eventList: ['type', 'types.#', 'delivery_success', ...RANGE('created'), ...PAGING],
  productCreate: ['id', ...PRODUCT_FIELDS],
  productUpdate: PRODUCT_FIELDS,
  priceCreate: [
    'product',
    'currency',
    'unit_amount',
    'unit_amount_decimal',
    'recurring.interval',
    'recurring.interval_count',
    'recurring.usage_type',
    ...PRICE_FIELDS,
    'billing_scheme',
    'product_data.name',
  ],
  priceUpdate: PRICE_FIELDS,
  paymentMethodAttach: ['customer', 'expand.#'],
  paymentMethodList: ['type', ...PAGING],
  paymentIntentCreate: [
    'amount',
    'currency',
    'customer',
    'payment_method',
    'payment_method_types.#',
    'confirm',
    'off_session',
    'description',
    'receipt_email',
    'setup_future_usage',
    'statement_descriptor_suffix',
    'automatic_payment_methods.enabled',
    'automatic_payment_methods.allow_redirects',
    ...METADATA,
    'expand.#',
  ],
  paymentIntentList: ['customer', ...RANGE('created'), ...PAGING],
  chargeList: ['customer', 'payment_intent', ...RANGE('created'), ...PAGING],
  refundCreate: ['charge', 'payment_intent', 'amount', 'reason', 'instructions_email', ...METADATA, 'expand.#'],
  refundList: ['charge', 'payment_intent', ...RANGE('created'), ...PAGING],
  disputeList: ['charge', 'payment_intent', ...RANGE('created'), ...PAGING],
  disputeUpdate: ['evidence.*', 'submit', ...METADATA, 'expand.#'],
  disputeClose: ['expand.#'],
  scheduleCreate: ['from_subscription', 'customer', ...METADATA, 'expand.#'],
  scheduleUpdate: [
    'end_behavior',
    'phases.#.items.#.price',
    'phases.#.items.#.quantity',
    'phases.#.start_date',
    'phases.#.end_date',
    'phases.#.duration.interval',
    'phases.#.duration.interval_count',
    'phases.#.proration_behavior',
    'phases.#.metadata',
    'phases.#.metadata.*',
    'proration_behavior',
    ...METADATA,
    'expand.#',
  ],
  scheduleList: ['customer', ...RANGE('created'), ...PAGING],
  scheduleRelease: ['preserve_cancel_date', 'expand.#'],
  scheduleCancel: ['invoice_now', 'prorate', 'expand.#'],
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
