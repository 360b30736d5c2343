import { z } from 'zod';
import type { Caller } from '../platform/auth';
import { CONTRACTS } from '../platform/contracts';
import { json } from '../platform/http';
import { type HttpEvent, jwtRoute } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import {
  type SubscriptionStatusDeps,
  subscriptionStatus,
  type TokenUser,
} from '../use-cases/entitlement/subscription-status';
import { subscriptionStatusDeps } from '../wiring/frontend';

/** GET /subscription/status: the caller's entitlement from DynamoDB (never from token claims), `no-store`. */
export function createSubscriptionStatusHandler(deps: SubscriptionStatusDeps) {
  return jwtRoute(async (event, caller) => {
    const status = await subscriptionStatus(deps, tokenUserOf(event, caller));
    return json(200, status, { 'cache-control': 'no-store' });
  });
}

const identitiesClaim = z.array(z.object({ providerName: z.string().min(1) }).loose()).min(1);

/** The claims provisioning needs beyond `callerOf`: email_verified and the federated provider, if any. */
export function tokenUserOf(event: HttpEvent, caller: Caller): TokenUser {
  const claims =
    (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims ??
    {};
  let identityProvider = 'cognito';
  const identities = claims.identities;
  try {
    const parsed = identitiesClaim.safeParse(typeof identities === 'string' ? JSON.parse(identities) : identities);
    if (parsed.success && parsed.data[0]) identityProvider = parsed.data[0].providerName;
  } catch {
    // Not JSON: a native user's token has no identities claim; keep `cognito`.
  }
  return {
    sub: caller.sub,
    ...(caller.username ? { username: caller.username } : {}),
    ...(caller.email ? { email: caller.email } : {}),
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    ...(caller.givenName ? { givenName: caller.givenName } : {}),
    ...(caller.familyName ? { familyName: caller.familyName } : {}),
    identityProvider,
    groups: caller.groups,
  };
}

const entry = lambdaEntry(CONTRACTS.subscriptionStatus, (runtime) =>
  createSubscriptionStatusHandler(subscriptionStatusDeps(runtime)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
