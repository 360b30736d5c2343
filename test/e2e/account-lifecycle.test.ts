import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../local/journey';
import type { LocalStack } from '../../local/stack';
import { useStack } from './support';

/**
 * Account lifecycle (issue 16) through the local stack: equivalent email spellings, live admin membership,
 * orphaned profiles freed, account deletion.
 */
const worldOf = useStack();
let stack: LocalStack;
beforeAll(() => {
  stack = worldOf().stack;
});

let seq = 0;
const uniqueLocal = (tag: string) => `${tag}-${process.pid}-${Date.now()}-${++seq}`;

function signUp(address: string) {
  return stack.backend.cognitoClient.send(
    new SignUpCommand({
      ClientId: stack.info.userPoolClientId,
      Username: address,
      Password: DEMO_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: address }],
    }),
  );
}

/** Signs up (Pre-Signup), confirms (Post-Confirmation), optionally joins `admins`, and signs in. */
async function signedUpUser(email: string, options: { admin?: boolean } = {}) {
  const { cognitoClient } = stack.backend;
  const { userPoolId } = stack.info;
  const sub = (await signUp(email)).UserSub ?? '';
  await cognitoClient.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: sub }));
  if (options.admin) {
    await cognitoClient.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: 'admins' }),
    );
  }
  return { sub, email, idToken: await signIn(email) };
}

async function signIn(email: string): Promise<string> {
  const auth = await stack.backend.cognitoClient.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: stack.info.userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: DEMO_PASSWORD },
    }),
  );
  return auth.AuthenticationResult?.IdToken ?? '';
}

/** A route's JSON answer, read loosely (each test asserts the fields it needs). */
interface ResponseBody {
  error?: { code: string; message: string };
  [field: string]: unknown;
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${stack.info.apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as ResponseBody };
}

const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('admin routes check live membership', () => {
  it('refuses a removed admin at once, although the token still claims admins', async () => {
    // Prepare: an operator signs in as an admin, then is removed from the group
    const operator = await signedUpUser(`${uniqueLocal('operator')}@example.com`, { admin: true });
    const other = await signedUpUser(`${uniqueLocal('operator-other')}@example.com`, { admin: true });
    expect(claims(operator.idToken)['cognito:groups']).toContain('admins');
    await stack.backend.cognitoClient.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: stack.info.userPoolId,
        Username: operator.sub,
        GroupName: 'admins',
      }),
    );

    // Act
    const removed = await call('GET', `/admin/sync-health?user=${operator.sub}`, operator.idToken);
    const stillAdmin = await call('GET', `/admin/sync-health?user=${other.sub}`, other.idToken);

    // Assess
    expect(removed.status).toBe(403);
    expect(removed.body.error?.code).toBe('forbidden');
    expect(stillAdmin.status).toBe(200);
  });
});

describe('equivalent email spellings', () => {
  it.each([
    ['a quoted local part', (local: string) => `${local}@example.com`, (local: string) => `"${local}"@example.com`],
    [
      'the punycode form of an internationalised domain',
      (local: string) => `${local}@bücher.example`,
      (local: string) => `${local}@xn--bcher-kva.example`,
    ],
    [
      'the Unicode form after a punycode sign-up',
      (local: string) => `${local}@xn--bcher-kva.example`,
      (local: string) => `${local.toUpperCase()}@BÜCHER.example`,
    ],
  ])('rejects a second sign-up spelling the address with %s', async (_case, first, second) => {
    // Prepare
    const local = uniqueLocal('spelling');
    await signUp(first(local));

    // Act
    const again = signUp(second(local));

    // Assess
    await expect(again).rejects.toThrow(/An account with this email already exists/);
  });
});

/** The profile row as stored (undefined once deleted). */
async function profileOf(sub: string): Promise<Record<string, unknown> | undefined> {
  const out = await stack.backend.ddb.send(
    new GetCommand({ TableName: stack.info.tables.userProfiles, Key: { userId: sub } }),
  );
  return out.Item;
}

/** A paid pro subscription for the user's customer (a test card on file), its webhooks delivered. */
async function subscribePro(customer: string): Promise<string> {
  const client = stack.stripe?.client();
  if (!client) throw new Error('the e2e stack runs the Stripe emulator');
  const price = (await client.prices.list({ lookup_keys: ['pro_monthly'] })).data[0]?.id ?? '';
  const card = await client.paymentMethods.attach('pm_card_visa', { customer });
  const subscription = await client.subscriptions.create({
    customer,
    items: [{ price }],
    default_payment_method: card.id,
  });
  await stack.stripe?.drainWebhooks();
  return subscription.id;
}

async function parkedEventsOf(customer: string): Promise<unknown[]> {
  const out = await stack.backend.ddb.send(new ScanCommand({ TableName: stack.info.tables.parkedEvents }));
  return (out.Items ?? []).filter((item) => item.stripeCustomerId === customer);
}

describe('a Cognito user deleted by an operator', () => {
  it('frees the email at once (Pre-Signup checks Cognito); reconcile then removes the orphan and cancels its subscription', async () => {
    // Prepare: a paying user, then an operator deletes them in Cognito (console, CLI: AdminDeleteUser)
    const email = `${uniqueLocal('orphan')}@example.com`;
    const old = await signedUpUser(email);
    const customer = String((await profileOf(old.sub))?.stripeCustomerId ?? '');
    expect(customer).toMatch(/^cus_/);
    const subscription = await subscribePro(customer);
    expect((await call('GET', '/subscription/status', old.idToken)).body).toMatchObject({ plan: 'pro' });
    await stack.backend.cognitoClient.send(
      new AdminDeleteUserCommand({ UserPoolId: stack.info.userPoolId, Username: old.sub }),
    );
    const operator = await signedUpUser(`${uniqueLocal('orphan-operator')}@example.com`, { admin: true });

    // Act
    const again = await signedUpUser(email);
    const dryRun = await call('GET', `/admin/sync-health?user=${old.sub}`, operator.idToken);
    const repaired = await call('POST', '/admin/reconcile', operator.idToken, { apply: true, user: old.sub });
    await stack.stripe?.drainWebhooks();

    // Assess
    expect(again.sub).not.toBe(old.sub);
    expect(dryRun.body).toMatchObject({ report: { findings: [{ kind: 'orphaned-profile', repair: 'apply' }] } });
    expect(repaired.status).toBe(200);
    expect(await profileOf(old.sub)).toBeUndefined();
    expect(await profileOf(again.sub)).toMatchObject({ email });
    expect((await stack.stripe?.client().subscriptions.retrieve(subscription))?.status).toBe('canceled');
    // The cancellation's webhook arrives after the rows are gone: ignored (200), never parked.
    expect(await parkedEventsOf(customer)).toEqual([]);
    expect(stack.stripe?.deliveries().filter((d) => d.customer === customer && d.status !== 'delivered')).toEqual([]);
  });
});

describe('DELETE /account', () => {
  it('deletes everything (Stripe, Cognito, rows), answers the same again, and the email signs up anew without a second trial', async () => {
    // Prepare: a user who used the trial and pays for pro
    const email = `${uniqueLocal('delete-me')}@example.com`;
    const user = await signedUpUser(email);
    expect((await call('POST', '/subscription/trial', user.idToken)).status).toBe(201);
    const customer = String((await profileOf(user.sub))?.stripeCustomerId ?? '');
    const subscription = await subscribePro(customer);

    // Act
    const deleted = await call('DELETE', '/account', user.idToken);
    const repeated = await call('DELETE', '/account', user.idToken);
    await stack.stripe?.drainWebhooks();
    const staleToken = await call('GET', '/subscription/status', user.idToken);
    const again = await signedUpUser(email);
    const secondTrial = await call('POST', '/subscription/trial', again.idToken);

    // Assess
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ deleted: true, subscriptions: 'cancel-now', customer: 'delete' });
    expect(repeated).toEqual(deleted);
    expect(await profileOf(user.sub)).toBeUndefined();
    const record = await stack.backend.ddb.send(
      new GetCommand({ TableName: stack.info.tables.entitlements, Key: { cognito_sub: user.sub } }),
    );
    expect(record.Item).toBeUndefined();
    await expect(
      stack.backend.cognitoClient.send(
        new AdminGetUserCommand({ UserPoolId: stack.info.userPoolId, Username: user.sub }),
      ),
    ).rejects.toThrow(/User does not exist/);
    expect((await stack.stripe?.client().subscriptions.retrieve(subscription))?.status).toBe('canceled');
    expect(await stack.stripe?.client().customers.retrieve(customer)).toMatchObject({ deleted: true });
    const tombstone = await stack.backend.ddb.send(
      new GetCommand({ TableName: stack.info.tables.auditLog, Key: { userId: user.sub, entryId: 'account#deleted' } }),
    );
    expect(tombstone.Item).toMatchObject({ trigger: 'user', trialUsed: true, stripeCustomerId: customer });
    expect(JSON.stringify(tombstone.Item)).not.toContain(email);
    // Stripe's customer.subscription.deleted and customer.deleted arrive after the rows are gone: ignored, not parked.
    expect(await parkedEventsOf(customer)).toEqual([]);
    expect(stack.stripe?.deliveries().filter((d) => d.customer === customer && d.status !== 'delivered')).toEqual([]);
    // The old token still verifies for up to an hour: it never revives the account.
    expect(staleToken).toMatchObject({ status: 404, body: { error: { code: 'account_deleted' } } });
    expect(again.sub).not.toBe(user.sub);
    expect(secondTrial).toMatchObject({ status: 409, body: { error: { code: 'trial_already_used' } } });
  });
});
