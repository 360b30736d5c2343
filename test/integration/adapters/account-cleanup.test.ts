import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoUserDirectory } from '../../../lambdas/adapters/cognito/cognito-users';
import { DynamoAccountTombstoneStore } from '../../../lambdas/adapters/dynamo/account-tombstone-store';
import { DynamoEntitlementStore } from '../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../lambdas/adapters/dynamo/profile-store';
import { StripeBillingCleanup } from '../../../lambdas/adapters/stripe/stripe-billing-cleanup';
import { initialEntitlementRecord } from '../../../lambdas/domain/entitlement';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { createVerifiedUser } from '../../../local/cognito-users';
import { type StripeEmulator, startStripeEmulator } from '../../../local/stripe/emulator';
import { uniqueEmail, useEmulatorBackend } from '../../support/backend';

/** The account-deletion adapters against dynalite, cognito-local and the Stripe emulator: each call idempotent. */
const catalog = PlanCatalog.defaults();
const now = new Date('2030-01-01T00:00:00Z');
let seq = 0;
const sub = () => `acct-${Date.now()}-${++seq}`;

describe('DynamoDB and Cognito', () => {
  const backend = useEmulatorBackend({ triggers: false });

  it('marks a profile for deletion once (the first mark stays), then removes it; a missing profile is no error', async () => {
    const { ddb, tables } = backend();
    const profiles = new DynamoProfileStore(ddb, tables.userProfiles);
    const id = sub();
    await profiles.upsert(
      { userId: id, cognitoUsername: id, email: uniqueEmail('mark'), emailVerified: true, identityProvider: 'cognito' },
      now,
    );
    const first = await profiles.markDeletion(id, { requestedAt: '2030-01-01T00:00:00.000Z', trigger: 'user' });
    const second = await profiles.markDeletion(id, { requestedAt: '2030-02-01T00:00:00.000Z', trigger: 'orphan' });
    expect(second).toEqual(first);
    expect((await profiles.get(id))?.deletion).toEqual({ requestedAt: '2030-01-01T00:00:00.000Z', trigger: 'user' });
    expect(await profiles.markDeletion(sub(), { requestedAt: 'x', trigger: 'user' })).toBeUndefined();
    await profiles.remove(id);
    await profiles.remove(id);
    expect(await profiles.get(id)).toBeUndefined();
  });

  it('removes an Entitlements record, twice without error', async () => {
    const { ddb, tables } = backend();
    const entitlements = new DynamoEntitlementStore(ddb, tables.entitlements);
    const id = sub();
    await entitlements.createIfAbsent(initialEntitlementRecord(catalog, { sub: id }, now));
    await entitlements.remove(id);
    await entitlements.remove(id);
    expect(await entitlements.get(id)).toBeUndefined();
  });

  it('keeps tombstones: account, customer, trial-used by any spelling of the email', async () => {
    const { ddb, tables } = backend();
    const tombstones = new DynamoAccountTombstoneStore(ddb, tables.auditLog);
    const id = sub();
    const email = uniqueEmail('trial');
    expect(await tombstones.isTrialUsed(email)).toBe(false);
    await tombstones.markTrialUsed(email.toUpperCase(), now);
    await tombstones.markCustomerDeleted(`cus_${id}`, id, now);
    const tombstone = {
      userId: id,
      entryId: 'account#deleted' as const,
      trigger: 'user' as const,
      requestedAt: now.toISOString(),
      deletedAt: now.toISOString(),
      subscriptions: 'cancel-now' as const,
      customer: 'delete' as const,
      trialUsed: true,
    };
    await tombstones.putAccountTombstone(tombstone);
    expect(await tombstones.isTrialUsed(` ${email} `)).toBe(true);
    expect(await tombstones.isDeletedCustomer(`cus_${id}`)).toBe(true);
    expect(await tombstones.isDeletedCustomer('cus_other')).toBe(false);
    expect(await tombstones.accountTombstone(id)).toEqual(tombstone);
  });

  it('deletes a Cognito user; a second delete finds it absent', async () => {
    const { cognitoClient, userPool } = backend();
    const directory = new CognitoUserDirectory(cognitoClient, userPool.userPoolId);
    const user = await createVerifiedUser(cognitoClient, userPool.userPoolId, uniqueEmail('delete-user'));
    expect(await directory.deleteUser(user.username)).toBe('deleted');
    expect(await directory.deleteUser(user.username)).toBe('absent');
    expect(await directory.get(user.username)).toBeUndefined();
  });
});

describe('StripeBillingCleanup against the Stripe emulator', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ catalog });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  async function customerWithSubscription() {
    const client = emulator.client();
    const customer = await client.customers.create({
      email: 'someone@example.com',
      name: 'Some One',
      metadata: { cognito_sub: 'sub-x', other: 'kept' },
    });
    const price = (await client.prices.list({ lookup_keys: ['pro_monthly'] })).data[0]?.id ?? '';
    const card = await client.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price }],
      default_payment_method: card.id,
    });
    return { client, customer: customer.id, subscription: subscription.id };
  }

  it('cancels now, twice without error, and lists the subscription as canceled', async () => {
    const { client, customer, subscription } = await customerWithSubscription();
    const cleanup = new StripeBillingCleanup(client);
    expect(await cleanup.subscriptions(customer)).toEqual([
      { id: subscription, status: 'active', cancelAtPeriodEnd: false },
    ]);
    await cleanup.cancelNow(subscription);
    await cleanup.cancelNow(subscription);
    expect((await client.subscriptions.retrieve(subscription)).status).toBe('canceled');
  });

  it('cancels at period end, then anonymises: no email, name or cognito_sub, other metadata kept', async () => {
    const { client, customer, subscription } = await customerWithSubscription();
    const cleanup = new StripeBillingCleanup(client);
    await cleanup.cancelAtPeriodEnd(subscription);
    await cleanup.anonymiseCustomer(customer, new Date('2030-01-01T00:00:00Z'));
    await cleanup.anonymiseCustomer(customer, new Date('2030-01-01T00:00:00Z'));
    const after = await client.subscriptions.retrieve(subscription);
    expect(after).toMatchObject({ status: 'active', cancel_at_period_end: true });
    const anonymised = await client.customers.retrieve(customer);
    expect(anonymised).toMatchObject({
      email: null,
      name: null,
      metadata: { other: 'kept', account_deleted_at: '2030-01-01T00:00:00.000Z' },
    });
    expect((anonymised as { metadata: Record<string, string> }).metadata.cognito_sub).toBeUndefined();
  });

  it('deletes the customer (its subscriptions end with it), twice without error; then every call is a no-op', async () => {
    const { client, customer, subscription } = await customerWithSubscription();
    const cleanup = new StripeBillingCleanup(client);
    await cleanup.deleteCustomer(customer);
    await cleanup.deleteCustomer(customer);
    expect((await client.subscriptions.retrieve(subscription)).status).toBe('canceled');
    expect(await cleanup.subscriptions(customer)).toEqual([]);
    await cleanup.anonymiseCustomer(customer, new Date());
    await cleanup.cancelNow(subscription);
    await cleanup.deleteCustomer('cus_never_existed');
  });
});
