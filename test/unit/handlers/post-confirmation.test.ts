import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type Stripe from 'stripe';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CognitoGroupGateway } from '../../../lambdas/adapters/cognito/cognito-groups';
import { DynamoEntitlementStore } from '../../../lambdas/adapters/dynamo/entitlement-store';
import { DynamoProfileStore } from '../../../lambdas/adapters/dynamo/profile-store';
import { LazyCustomerGateway } from '../../../lambdas/adapters/stripe/lazy-customer-gateway';
import { StripeCustomerGateway } from '../../../lambdas/adapters/stripe/stripe-customers';
import { DependencyUnavailableError, InvalidInputError } from '../../../lambdas/domain/errors';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { createPostConfirmationHandler } from '../../../lambdas/handlers/post-confirmation';
import type { CustomerGateway } from '../../../lambdas/ports/app-ports';
import type { RetryParkedEvents } from '../../../lambdas/use-cases/identity/post-confirmation';
import { cloneEvent } from '../../fixtures/cognito';
import { fixedClock } from '../../support/trigger-fakes';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const SUB = '0b6f5c1e-51a4-4bb5-a3a3-7d0a1c3f9e21';

/** Stripe double: only `customers.create`, answering like Stripe (same customer for a repeated idempotency key). */
function stripeDouble() {
  const byKey = new Map<string, { id: string }>();
  const create = vi.fn(async (params: Stripe.CustomerCreateParams, options?: Stripe.RequestOptions) => {
    const key = options?.idempotencyKey ?? `none-${byKey.size}`;
    const customer = byKey.get(key) ?? {
      id: `cus_${byKey.size + 1}`,
      object: 'customer',
      email: params.email,
      metadata: params.metadata,
    };
    byKey.set(key, customer);
    return customer;
  });
  return { create, client: { customers: { create } } as unknown as Stripe };
}

/** UpdateItem answers as DynamoDB would with ReturnValues ALL_NEW, from the expression values. */
function updateAnswer(input: UpdateCommandInput) {
  const values = input.ExpressionAttributeValues ?? {};
  if (values[':cid']) return { Attributes: { ...input.Key, stripeCustomerId: values[':cid'] } };
  const attributes: Record<string, unknown> = { ...input.Key, createdAt: values[':createdAt'] };
  for (const [name, value] of Object.entries(values)) attributes[name.slice(1)] = value;
  return { Attributes: attributes };
}

function profileUpdates() {
  return ddbMock
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.TableName === 'UserProfiles');
}

function handlerWith(customers?: CustomerGateway, retryParked?: RetryParkedEvents) {
  return createPostConfirmationHandler((userPoolId) => ({
    ...(retryParked ? { retryParked } : {}),
    profiles: new DynamoProfileStore(ddb, 'UserProfiles'),
    entitlements: new DynamoEntitlementStore(ddb, 'Entitlements'),
    groups: new CognitoGroupGateway(cognito, userPoolId),
    ...(customers ? { customers } : {}),
    catalog: PlanCatalog.defaults(),
    clock: fixedClock,
  }));
}

describe('Post-Confirmation trigger', () => {
  let stripe: ReturnType<typeof stripeDouble>;

  beforeEach(() => {
    cognitoMock.reset();
    ddbMock.reset();
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(PutCommand).resolves({});
    ddbMock.on(UpdateCommand).callsFake(updateAnswer);
    cognitoMock.on(AdminAddUserToGroupCommand).resolves({});
    stripe = stripeDouble();
  });

  it('ConfirmSignUp: one customer, a profile, an Entitlements record (none) and the free group; event returned', async () => {
    // Prepare
    const event = cloneEvent('postConfirmation');
    // Act
    const result = await handlerWith(new StripeCustomerGateway(stripe.client))(event);
    // Assess
    expect(result).toEqual(cloneEvent('postConfirmation'));
    expect(stripe.create).toHaveBeenCalledTimes(1);
    expect(stripe.create).toHaveBeenCalledWith(
      { email: 'alice@example.com', name: 'Alice Example', metadata: { cognito_sub: SUB } },
      { idempotencyKey: `customer-for-${SUB}` },
    );
    const [upsert, link] = profileUpdates();
    expect(upsert?.ExpressionAttributeValues).toMatchObject({
      ':email': 'alice@example.com',
      ':emailVerified': true,
      ':cognitoUsername': SUB,
      ':givenName': 'Alice',
      ':familyName': 'Example',
      ':identityProvider': 'cognito',
    });
    // What the writes guarantee (a stored customer id is never overwritten, a customer links once, the record is
    // created only if absent) is behaviour of the stores, asserted against dynalite in
    // test/integration/adapters/dynamo/stores.test.ts; here: which values the trigger writes.
    expect(upsert?.ExpressionAttributeValues).not.toHaveProperty(':cid');
    expect(link?.ExpressionAttributeValues?.[':cid']).toBe('cus_1');
    const put = ddbMock.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({
      cognito_sub: SUB,
      status: 'none',
      plan: 'free',
      cognitoUsername: SUB,
      email: 'alice@example.com',
      stripeCustomerId: 'cus_1',
    });
    const adds = cognitoMock.commandCalls(AdminAddUserToGroupCommand).map((call) => call.args[0].input);
    expect(adds).toEqual([{ UserPoolId: 'us-east-1_Example01', Username: SUB, GroupName: 'free' }]);
  });

  it('reuses the customer id stored on the profile: no Stripe call', async () => {
    // Prepare
    ddbMock
      .on(GetCommand, { TableName: 'UserProfiles' })
      .resolves({ Item: { userId: SUB, email: 'alice@example.com', stripeCustomerId: 'cus_kept' } });
    // Act
    await handlerWith(new StripeCustomerGateway(stripe.client))(cloneEvent('postConfirmation'));
    // Assess
    expect(stripe.create).not.toHaveBeenCalled();
    expect(ddbMock.commandCalls(PutCommand)[0]?.args[0].input.Item?.stripeCustomerId).toBe('cus_kept');
  });

  it('does not create the Entitlements record when a webhook wrote it first', async () => {
    // Prepare
    ddbMock.on(GetCommand, { TableName: 'Entitlements' }).resolves({
      Item: { cognito_sub: SUB, status: 'active', plan: 'pro', groups: ['pro'], cognitoGroups: ['pro'] },
    });
    // Act
    await handlerWith(new StripeCustomerGateway(stripe.client))(cloneEvent('postConfirmation'));
    // Assess
    expect(ddbMock.commandCalls(PutCommand)).toHaveLength(0);
    expect(cognitoMock.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
  });

  it('Stripe down: profile and Entitlements written without a customer id, the trigger succeeds', async () => {
    // Prepare
    stripe.create.mockRejectedValue(
      Object.assign(new Error('connect ECONNREFUSED'), { type: 'StripeConnectionError' }),
    );
    // Act
    const result = await handlerWith(new StripeCustomerGateway(stripe.client))(cloneEvent('postConfirmation'));
    // Assess
    expect(result.triggerSource).toBe('PostConfirmation_ConfirmSignUp');
    const updates = profileUpdates();
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0])).not.toContain('stripeCustomerId');
    expect(ddbMock.commandCalls(PutCommand)[0]?.args[0].input.Item?.stripeCustomerId).toBeUndefined();
    expect(cognitoMock.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(1);
  });

  it('Stripe secret unreadable (lazy client build fails): treated like Stripe down', async () => {
    // Prepare
    const customers = new LazyCustomerGateway(async () => {
      throw new Error('AccessDeniedException: secretsmanager:GetSecretValue');
    });
    // Act
    await handlerWith(customers)(cloneEvent('postConfirmation'));
    // Assess
    expect(profileUpdates()).toHaveLength(1);
    expect(ddbMock.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('LazyCustomerGateway builds the gateway once and retries the build after a failure', async () => {
    // Prepare
    const gateway = new StripeCustomerGateway(stripe.client);
    const load = vi
      .fn<() => Promise<CustomerGateway>>()
      .mockRejectedValueOnce(new Error('no secret'))
      .mockResolvedValue(gateway);
    const lazy = new LazyCustomerGateway(load);
    // Act
    await expect(lazy.createForUser({ sub: 's', email: 'a@b.co' })).rejects.toThrow('no secret');
    await lazy.createForUser({ sub: 's', email: 'a@b.co' });
    await lazy.createForUser({ sub: 's', email: 'a@b.co' });
    // Assess
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('DynamoDB down: throws DependencyUnavailableError (Cognito retries) before calling Stripe', async () => {
    // Prepare
    ddbMock.on(GetCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
    // Act / Assess
    await expect(
      handlerWith(new StripeCustomerGateway(stripe.client))(cloneEvent('postConfirmation')),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(stripe.create).not.toHaveBeenCalled();
  });

  it('Cognito group call failing: throws so the trigger is retried', async () => {
    // Prepare
    cognitoMock.on(AdminAddUserToGroupCommand).rejects(new Error('TooManyRequestsException'));
    // Act / Assess
    await expect(
      handlerWith(new StripeCustomerGateway(stripe.client))(cloneEvent('postConfirmation')),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('a federated user gets its provider recorded and the group call uses its Cognito username', async () => {
    // Prepare
    const event = cloneEvent('postConfirmation');
    event.userName = 'Google_108475309371254389765';
    Object.assign(event.request.userAttributes, {
      'cognito:user_status': 'EXTERNAL_PROVIDER',
      identities: JSON.stringify([{ userId: '108475309371254389765', providerName: 'Google', providerType: 'Google' }]),
    });
    // Act
    await handlerWith(new StripeCustomerGateway(stripe.client))(event);
    // Assess
    expect(profileUpdates()[0]?.ExpressionAttributeValues?.[':identityProvider']).toBe('Google');
    expect(cognitoMock.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input.Username).toBe(
      'Google_108475309371254389765',
    );
  });

  it('retries the Stripe events parked for the new customer, with the sub', async () => {
    // Prepare
    const retry = vi.fn<RetryParkedEvents>().mockResolvedValue({ applied: 1, stillParked: 0 });
    // Act
    await handlerWith(new StripeCustomerGateway(stripe.client), retry)(cloneEvent('postConfirmation'));
    // Assess
    expect(retry).toHaveBeenCalledWith('cus_1', SUB);
  });

  it('does not retry parked events when the user has no Stripe customer (Stripe down)', async () => {
    // Prepare
    stripe.create.mockRejectedValue(new Error('down'));
    const retry = vi.fn<RetryParkedEvents>().mockResolvedValue({ applied: 0, stillParked: 0 });
    // Act
    await handlerWith(new StripeCustomerGateway(stripe.client), retry)(cloneEvent('postConfirmation'));
    // Assess
    expect(retry).not.toHaveBeenCalled();
  });

  it('a failing parked retry does not fail the confirmation (reconcile sweeps parked events)', async () => {
    // Prepare
    const retry = vi.fn<RetryParkedEvents>().mockRejectedValue(new DependencyUnavailableError('dynamodb', 'down'));
    // Act
    const result = await handlerWith(new StripeCustomerGateway(stripe.client), retry)(cloneEvent('postConfirmation'));
    // Assess
    expect(result.triggerSource).toBe('PostConfirmation_ConfirmSignUp');
    expect(retry).toHaveBeenCalledTimes(1);
    expect(ddbMock.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('ConfirmForgotPassword: returns the event untouched and touches nothing', async () => {
    // Prepare
    const event = cloneEvent('postConfirmationForgotPassword');
    // Act
    const result = await handlerWith(new StripeCustomerGateway(stripe.client))(event);
    // Assess
    expect(result).toEqual(cloneEvent('postConfirmationForgotPassword'));
    expect(ddbMock.calls()).toHaveLength(0);
    expect(cognitoMock.calls()).toHaveLength(0);
    expect(stripe.create).not.toHaveBeenCalled();
  });

  it.each([
    ['not an object', null, /Malformed Post-Confirmation trigger event/],
    ['unknown source', { ...cloneEvent('postConfirmation'), triggerSource: 'PostConfirmation_Other' }, /triggerSource/],
    ['no userName', { ...cloneEvent('postConfirmation'), userName: undefined }, /userName/],
    [
      'no sub attribute',
      { ...cloneEvent('postConfirmation'), request: { userAttributes: { email: 'a@example.com' } } },
      /userAttributes.*sub/,
    ],
    ['no email attribute', { ...cloneEvent('postConfirmation'), request: { userAttributes: { sub: SUB } } }, /email/],
  ])('malformed (%s): a clear InvalidInputError and no write', async (_case, event, message) => {
    // Act
    const outcome = await handlerWith(new StripeCustomerGateway(stripe.client))(event).catch((error: unknown) => error);
    // Assess
    expect(outcome).toBeInstanceOf(InvalidInputError);
    expect((outcome as Error).message).toMatch(message);
    expect(ddbMock.calls()).toHaveLength(0);
    expect(stripe.create).not.toHaveBeenCalled();
  });
});
