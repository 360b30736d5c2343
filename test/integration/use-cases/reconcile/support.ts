import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll } from 'vitest';
import { CognitoGroupGateway } from '../../../../lambdas/adapters/cognito/cognito-groups';
import { DynamoEntitlementStore } from '../../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../../lambdas/adapters/dynamo/profile-store';
import { managedGroupsOf as onlyManaged } from '../../../../lambdas/domain/groups';
import { PlanCatalog } from '../../../../lambdas/domain/plan-catalog';
import { CONTRACTS } from '../../../../lambdas/platform/contracts';
import { createRuntime } from '../../../../lambdas/platform/runtime';
import { type Clock, systemClock } from '../../../../lambdas/ports/app-ports';
import { provisionUser } from '../../../../lambdas/use-cases/identity/provision-user';
import type { ReconcileDeps } from '../../../../lambdas/use-cases/reconcile/reconcile';
import { reconcileDepsFromRuntime } from '../../../../lambdas/wiring/reconcile';
import type { EmulatorBackend } from '../../../../local/backend';
import { type StripeEmulator, startStripeEmulator } from '../../../../local/stripe/emulator';
import { uniqueEmail, useEmulatorBackend } from '../../../support/backend';

export const catalog = PlanCatalog.defaults();

export interface ReconcileWorld {
  backend: EmulatorBackend;
  stripe: StripeEmulator;
  env: Record<string, string>;
  deps(options?: { clock?: Clock; batchSize?: number }): Promise<ReconcileDeps>;
}

/** dynalite + cognito-local (no triggers: users are seeded by hand) + the local Stripe emulator, once per file. */
export function useReconcileWorld(): () => ReconcileWorld {
  const backend = useEmulatorBackend({ triggers: false });
  let world: ReconcileWorld | undefined;
  beforeAll(async () => {
    const stripe = await startStripeEmulator({ catalog });
    const env = { ...backend().env, STRIPE_SECRET_KEY: stripe.secretKey, STRIPE_API_BASE: stripe.apiBase };
    const runtime = createRuntime(CONTRACTS.reconcileScheduled, env);
    world = {
      backend: backend(),
      stripe,
      env,
      async deps(options = {}) {
        const deps = await reconcileDepsFromRuntime(runtime, { clock: options.clock ?? systemClock, concurrency: 4 });
        return { ...deps, ...(options.batchSize ? { batchSize: options.batchSize } : {}) };
      },
    };
  });
  afterAll(async () => {
    await world?.stripe.stop();
  });
  return () => {
    if (!world) throw new Error('reconcile world not started');
    return world;
  };
}

/** A confirmed Cognito user (email sign-in: username = sub) with nothing else. */
export async function confirmedUser(
  world: ReconcileWorld,
  tag: string,
): Promise<{ sub: string; email: string; username: string }> {
  const { cognitoClient, userPool } = world.backend;
  const email = uniqueEmail(tag);
  const created = await cognitoClient.send(
    new AdminCreateUserCommand({
      UserPoolId: userPool.userPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const username = created.User?.Username ?? email;
  await cognitoClient.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPool.userPoolId,
      Username: username,
      Password: 'Correct-horse-battery-9',
      Permanent: true,
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error('cognito-local returned no sub');
  return { sub, email, username };
}

export function stores(world: ReconcileWorld) {
  const { ddb, tables, cognitoClient, userPool } = world.backend;
  return {
    profiles: new DynamoProfileStore(ddb, tables.userProfiles),
    entitlements: new DynamoEntitlementStore(ddb, tables.entitlements),
    groups: new CognitoGroupGateway(cognitoClient, userPool.userPoolId),
  };
}

/** A user in sync: Cognito user, profile, Entitlements record (free) and the free group, no Stripe customer. */
export async function provisionedUser(world: ReconcileWorld, tag: string) {
  const user = await confirmedUser(world, tag);
  await provisionUser(
    { ...stores(world), catalog, clock: systemClock },
    { sub: user.sub, username: user.username, email: user.email, emailVerified: true, identityProvider: 'cognito' },
    { createCustomer: false },
  );
  return user;
}

/** Provisioned and linked to a new Stripe customer carrying its sub. */
export async function linkedUser(world: ReconcileWorld, tag: string) {
  const user = await provisionedUser(world, tag);
  const customer = await stripeCustomer(world, user.sub, user.email);
  await stores(world).profiles.linkStripeCustomer(user.sub, customer, new Date());
  const { entitlements } = stores(world);
  const record = await entitlements.get(user.sub);
  if (!record) throw new Error('no record');
  await entitlements.writeIfVersion(
    { ...record, stripeCustomerId: customer, entitlementsVersion: record.entitlementsVersion + 1 },
    record.entitlementsVersion,
  );
  return { ...user, customer };
}

export async function stripeCustomer(world: ReconcileWorld, sub: string, email: string): Promise<string> {
  const customer = await world.stripe.client().customers.create({ email, metadata: { cognito_sub: sub } });
  return customer.id;
}

export async function subscribe(world: ReconcileWorld, customer: string, lookupKey: string): Promise<string> {
  const client = world.stripe.client();
  const prices = await client.prices.list({ lookup_keys: [lookupKey] });
  const price = prices.data[0];
  if (!price) throw new Error(`no price ${lookupKey}`);
  // Stripe leaves a subscription `incomplete` when the customer has nothing to pay with: attach a test card first.
  const card = await client.paymentMethods.attach('pm_card_visa', { customer });
  const subscription = await client.subscriptions.create({
    customer,
    items: [{ price: price.id }],
    default_payment_method: card.id,
  });
  return subscription.id;
}

export async function setGroups(world: ReconcileWorld, username: string, add: string[], remove: string[]) {
  const { cognitoClient, userPool } = world.backend;
  for (const group of add) {
    await cognitoClient.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPool.userPoolId, Username: username, GroupName: group }),
    );
  }
  for (const group of remove) {
    await cognitoClient.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: userPool.userPoolId, Username: username, GroupName: group }),
    );
  }
}

export async function managedGroupsOf(world: ReconcileWorld, username: string): Promise<string[]> {
  const groups = await stores(world).groups.listGroupsForUser(username);
  return onlyManaged(groups, catalog).sort();
}

/** `kind` per sub, sorted, for exact comparisons. */
export function kindsBySub(findings: { sub: string; kind: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const finding of findings) out[finding.sub] = [...(out[finding.sub] ?? []), finding.kind].sort();
  return out;
}
