import { type Billing, updateAndEmit } from './context';
import { StripeApiError } from './errors';
import { newId, type StripeObject } from './store';

/**
 * The customer portal (https://docs.stripe.com/customer-management/configure-portal): sessions use a portal
 * configuration: the one named in `configuration`, else the account's default, which exists only once the portal
 * settings were saved in the Dashboard. Without it Stripe refuses the session. Configurations made through the API
 * (https://docs.stripe.com/api/customer_portal/configurations/create) are not the default (`is_default: false`).
 * Events: `billing_portal.configuration.created/updated`, `billing_portal.session.created`.
 */

export const NO_DEFAULT_CONFIGURATION =
  'No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.';

export interface ConfigurationFields {
  business_profile?: Record<string, unknown>;
  features?: Record<string, unknown>;
  default_return_url?: string | null;
  metadata?: Record<string, string>;
  name?: string | null;
  active?: boolean;
}

export function createConfiguration(billing: Billing, fields: ConfigurationFields, isDefault = false): StripeObject {
  const now = billing.now();
  const configuration = billing.store.put({
    id: newId('bpc'),
    object: 'billing_portal.configuration',
    active: fields.active ?? true,
    application: null,
    business_profile: {
      headline: null,
      privacy_policy_url: null,
      terms_of_service_url: null,
      ...fields.business_profile,
    },
    created: now,
    default_return_url: fields.default_return_url ?? null,
    features: {
      customer_update: { allowed_updates: ['email', 'address'], enabled: true },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true },
      subscription_cancel: { enabled: true, mode: 'at_period_end', proration_behavior: 'none' },
      subscription_update: { enabled: false, default_allowed_updates: [], proration_behavior: 'none', products: [] },
      ...fields.features,
    },
    is_default: isDefault,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: fields.metadata ?? {},
    name: fields.name ?? null,
    updated: now,
  });
  billing.emit('billing_portal.configuration.created', configuration, null, { at: now });
  return configuration;
}

/** What saving the portal settings in the Dashboard does: the default configuration (idempotent). */
export function saveDefaultConfiguration(billing: Billing): StripeObject {
  const existing = billing.store.all('billing_portal.configuration').find((c) => c.is_default === true);
  return existing ?? createConfiguration(billing, {}, true);
}

export function updateConfiguration(billing: Billing, id: string, fields: ConfigurationFields): StripeObject {
  const configuration = billing.found(id, 'billing_portal.configuration');
  updateAndEmit(billing, 'billing_portal.configuration.updated', configuration, null, (c) => {
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      c[key] = typeof value === 'object' && value !== null ? { ...(c[key] as object), ...value } : value;
    }
    c.updated = billing.now();
  });
  return configuration;
}

export function createPortalSession(
  billing: Billing,
  input: { customer: string; returnUrl: string | null; locale: string | null; configuration?: string },
): StripeObject {
  billing.liveCustomer(input.customer, 'customer');
  const configuration = portalConfiguration(billing, input.configuration);
  const id = newId('bps');
  const session = billing.store.put({
    id,
    object: 'billing_portal.session',
    configuration: configuration.id,
    created: billing.now(),
    customer: input.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: input.locale,
    on_behalf_of: null,
    return_url: input.returnUrl ?? (configuration.default_return_url as string | null),
    url: `${billing.apiBase()}/_emulator/portal/${id}`,
  });
  billing.emit('billing_portal.session.created', session, input.customer);
  return session;
}

function portalConfiguration(billing: Billing, id: string | undefined): StripeObject {
  if (id) {
    const configuration = billing.found(id, 'billing_portal.configuration', 'configuration');
    if (configuration.active !== true) {
      throw new StripeApiError(400, `The configuration ${id} is not active.`, { param: 'configuration' });
    }
    return configuration;
  }
  const fallback = billing.store.all('billing_portal.configuration').find((c) => c.is_default === true);
  if (!fallback) throw new StripeApiError(400, NO_DEFAULT_CONFIGURATION);
  return fallback;
}
