import { asObject, mergeMetadata, optBool, optString } from '../coerce';
import { missingParameter } from '../errors';
import type { FormObject } from '../form';
import { ALLOW } from '../params';
import { type ConfigurationFields, createConfiguration, createPortalSession, updateConfiguration } from '../portal';
import { list, optUrl, type Route, req, route } from './route';

/** `/v1/billing_portal/sessions` and `/configurations` (https://docs.stripe.com/api/customer_portal). */
export const PORTAL_ROUTES: Route[] = [
  route('POST', '/v1/billing_portal/sessions', ALLOW.portalCreate, ({ billing }, p) => {
    const customer = optString(p.customer, 'customer');
    if (!customer) throw missingParameter('customer');
    return createPortalSession(billing, {
      customer,
      returnUrl: optUrl(p.return_url, 'return_url') ?? null,
      locale: optString(p.locale, 'locale') ?? null,
      configuration: optString(p.configuration, 'configuration'),
    });
  }),
  route('POST', '/v1/billing_portal/configurations', ALLOW.portalConfigurationCreate, ({ billing }, p) => {
    if (p.features === undefined) throw missingParameter('features');
    return createConfiguration(billing, configurationFields(p));
  }),
  route('POST', '/v1/billing_portal/configurations/:id', ALLOW.portalConfigurationUpdate, ({ billing }, p, id) =>
    updateConfiguration(billing, req(id), configurationFields(p)),
  ),
  route('GET', '/v1/billing_portal/configurations/:id', ALLOW.retrieve, ({ billing }, _p, id) =>
    billing.found(req(id), 'billing_portal.configuration'),
  ),
  route('GET', '/v1/billing_portal/configurations', ALLOW.portalConfigurationList, ({ billing }, p) => {
    const isDefault = optBool(p.is_default, 'is_default');
    const active = optBool(p.active, 'active');
    const found = billing.store
      .all('billing_portal.configuration')
      .filter(
        (c) => (isDefault === undefined || c.is_default === isDefault) && (active === undefined || c.active === active),
      );
    return list(found, p, '/v1/billing_portal/configurations');
  }),
];

/** Form values stay strings (`'true'`), as Stripe echoes them back as booleans only for known fields. */
function configurationFields(p: FormObject): ConfigurationFields {
  return {
    business_profile: p.business_profile === undefined ? undefined : asObject(p.business_profile, 'business_profile'),
    features: p.features === undefined ? undefined : booleans(asObject(p.features, 'features')),
    default_return_url: optUrl(p.default_return_url, 'default_return_url'),
    metadata: p.metadata === undefined ? undefined : mergeMetadata({}, p.metadata),
    name: optString(p.name, 'name'),
    active: optBool(p.active, 'active'),
  };
}

function booleans(value: FormObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      typeof v === 'string' ? (v === 'true' ? true : v === 'false' ? false : v) : Array.isArray(v) ? v : booleans(v);
  }
  return out;
}
