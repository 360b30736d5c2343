import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type EntitlementRecord, initialEntitlementRecord } from '../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { Clock, UserProfile } from '../../lambdas/ports/app-ports';
import type { BillingGateway, CheckoutSessionInput } from '../../lambdas/ports/billing-ports';

/** Hand doubles of the frontend routes' ports, with the same semantics as the real adapters. */

export const catalog = PlanCatalog.defaults();
export const NOW = new Date('2030-01-15T12:00:00.000Z');
export const SUB = '11111111-2222-3333-4444-555555555555';

export function fixedClock(at: Date = NOW): Clock & { at: Date } {
  const clock = { at, now: () => new Date(clock.at.getTime()) };
  return clock;
}

export class MemoryBilling implements BillingGateway {
  prices: Record<string, string> = {
    starter_monthly: 'price_starter_m',
    starter_yearly: 'price_starter_y',
    pro_monthly: 'price_pro_m',
    pro_yearly: 'price_pro_y',
    business_monthly: 'price_business_m',
    business_yearly: 'price_business_y',
    enterprise_monthly: 'price_enterprise_m',
    enterprise_yearly: 'price_enterprise_y',
  };
  readonly checkouts: CheckoutSessionInput[] = [];
  readonly portals: { customerId: string; returnUrl: string }[] = [];
  failWith: Error | undefined;
  async priceIdForLookupKey(key: string) {
    if (this.failWith) throw this.failWith;
    return this.prices[key];
  }
  async createCheckoutSession(input: CheckoutSessionInput) {
    if (this.failWith) throw this.failWith;
    this.checkouts.push(input);
    return { id: 'cs_test_1', url: 'https://checkout.stripe.com/c/pay/cs_test_1' };
  }
  async createPortalSession(input: { customerId: string; returnUrl: string }) {
    if (this.failWith) throw this.failWith;
    this.portals.push(input);
    return { url: 'https://billing.stripe.com/p/session/test_1' };
  }
}

export const baseProfile: UserProfile = {
  userId: SUB,
  cognitoUsername: SUB,
  email: 'alice@example.com',
  emailVerified: true,
  givenName: 'Alice',
  familyName: 'Liddell',
  identityProvider: 'cognito',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
};

/** A free user's record whose groups are applied in Cognito. */
export function baseRecord(): EntitlementRecord {
  return {
    ...initialEntitlementRecord(
      catalog,
      { sub: SUB, cognitoUsername: SUB, email: 'alice@example.com' },
      new Date('2030-01-01T00:00:00.000Z'),
    ),
    cognitoGroups: ['free'],
  };
}

/** A record with an active paid `pro` subscription. */
export function proRecord(): EntitlementRecord {
  return {
    ...baseRecord(),
    status: 'active',
    plan: 'pro',
    entitled: true,
    features: [...catalog.plan('pro').features],
    groups: ['pro'],
    cognitoGroups: ['pro'],
    currentPeriodEnd: '2030-02-01T00:00:00.000Z',
    stripeCustomerId: 'cus_existing',
    subscriptionIds: ['sub_1'],
    entitlementsVersion: 4,
  };
}

export interface EventOptions {
  claims?: Record<string, unknown> | null;
  body?: string;
  isBase64Encoded?: boolean;
  method?: string;
  path?: string;
}

const baseClaims = {
  sub: SUB,
  email: 'alice@example.com',
  email_verified: 'true',
  'cognito:username': SUB,
  'cognito:groups': '[free]',
  given_name: 'Alice',
  family_name: 'Liddell',
};

/** An API Gateway v2 event as the JWT authorizer delivers it (array claims as "[a b]" strings). */
export function jwtEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const claims = options.claims === null ? undefined : { ...baseClaims, ...options.claims };
  return {
    version: '2.0',
    routeKey: `${options.method ?? 'GET'} ${options.path ?? '/'}`,
    rawPath: options.path ?? '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.body !== undefined ? { body: options.body } : {}),
    requestContext: {
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

export function bodyOf(result: {
  body: string;
}): Record<string, unknown> & { error?: { code: string; message: string } } {
  return JSON.parse(result.body);
}
