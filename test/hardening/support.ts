import { AdminListGroupsForUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import Stripe from 'stripe';
import type { EmulatorBackend } from '../../local/backend';
import { postConfirmationEvent as buildPostConfirmationEvent, createVerifiedUser } from '../../local/cognito-users';
import type { StripeEmulator } from '../../local/stripe/emulator';
import type { StripeEvent } from '../../local/stripe/engine';
import type { StripeObject } from '../../local/stripe/store';
import { uniqueEmail } from '../support/backend';

/** Shared by the hardening tests: users in cognito-local, trigger and HTTP events, and a comparable state snapshot. */

export interface TestUser {
  sub: string;
  username: string;
  email: string;
}

/**
 * A confirmed user (a permanent password: CONFIRMED), as every caller holding a token is: Cognito signs in no
 * FORCE_CHANGE_PASSWORD or UNCONFIRMED user, and the routes heal a caller from its Cognito user.
 */
export async function createCognitoUser(backend: EmulatorBackend, tag = 'hardening'): Promise<TestUser> {
  const { cognitoClient, userPool } = backend;
  const user = await createVerifiedUser(cognitoClient, userPool.userPoolId, uniqueEmail(tag));
  await cognitoClient.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPool.userPoolId,
      Username: user.username,
      Password: 'Correct-horse-battery-9',
      Permanent: true,
    }),
  );
  return user;
}

export function postConfirmationEvent(backend: EmulatorBackend, user: TestUser) {
  return buildPostConfirmationEvent(backend.userPool, user);
}

export function preSignUpEvent(backend: EmulatorBackend, email: string, userName = crypto.randomUUID()) {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: backend.userPool.userPoolId,
    userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: backend.userPool.userPoolClientId },
    triggerSource: 'PreSignUp_SignUp',
    request: { userAttributes: { email }, validationData: null },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  };
}

/** An API Gateway v2 event as the JWT authorizer hands it over (claims as strings, groups as "[a b]"). */
export function jwtRequest(
  user: TestUser | undefined,
  options: {
    method?: string;
    path?: string;
    body?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/subscription/status';
  const claims = user
    ? {
        sub: user.sub,
        email: user.email,
        email_verified: 'true',
        'cognito:username': user.username,
        'cognito:groups': '[free]',
        token_use: 'id',
      }
    : undefined;
  const query = options.query ?? {};
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    headers: { 'content-type': 'application/json', ...options.headers },
    isBase64Encoded: false,
    ...(options.body !== undefined ? { body: options.body } : {}),
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** A Stripe delivery as API Gateway hands it to the webhook Lambda, signed like Stripe does. */
export function signedWebhook(
  payload: string,
  secret: string,
  options: { timestamp?: number; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/stripe',
    rawPath: '/webhooks/stripe',
    rawQueryString: '',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, ...options.headers },
    isBase64Encoded: false,
    body: payload,
    requestContext: {
      http: { method: 'POST', path: '/webhooks/stripe', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'x' },
      requestId: crypto.randomUUID(),
      routeKey: 'POST /webhooks/stripe',
      stage: '$default',
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** The emulator's events for one customer, oldest first. */
export function eventsOfCustomer(emulator: StripeEmulator, customerId: string): StripeEvent[] {
  return emulator
    .events()
    .filter((event) => {
      const object = event.data.object as { customer?: unknown; object?: string; id?: string };
      return object.customer === customerId || (object.object === 'customer' && object.id === customerId);
    })
    .sort((a, b) => a.created - b.created);
}

export function customersOfSub(emulator: StripeEmulator, sub: string): StripeObject[] {
  return emulator.engine.store
    .all('customer')
    .filter((customer) => (customer.metadata as Record<string, string> | undefined)?.cognito_sub === sub);
}

/** What a user's state is, without ids and timestamps, so two users' runs compare equal. */
export interface UserState {
  profile: { exists: boolean; hasCustomer: boolean };
  record: Record<string, unknown> | undefined;
  cognitoGroups: string[];
  stripeCustomers: number;
  auditEntries: string[];
  /** Audit entries sharing an event id with another one (a redelivery logged twice). */
  auditDuplicates: number;
  checkoutSessions: number;
}

export async function userState(backend: EmulatorBackend, emulator: StripeEmulator, user: TestUser) {
  const { ddb, tables } = backend;
  const profile = (await ddb.send(new GetCommand({ TableName: tables.userProfiles, Key: { userId: user.sub } }))).Item;
  const record = (await ddb.send(new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: user.sub } })))
    .Item;
  const groups = await backend.cognitoClient.send(
    new AdminListGroupsForUserCommand({ UserPoolId: backend.userPool.userPoolId, Username: user.username }),
  );
  const audit = await ddb.send(
    new QueryCommand({
      TableName: tables.auditLog,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': user.sub },
    }),
  );
  const customerId = profile?.stripeCustomerId as string | undefined;
  const sessions = customerId
    ? emulator.engine.store.all('checkout.session').filter((s) => s.customer === customerId).length
    : 0;
  const state: UserState = {
    profile: { exists: profile !== undefined, hasCustomer: customerId !== undefined },
    record: record
      ? {
          status: record.status,
          plan: record.plan,
          entitled: record.entitled,
          features: record.features,
          groups: record.groups,
          cognitoGroups: [...((record.cognitoGroups as string[] | undefined) ?? [])].sort(),
          cancelAtPeriodEnd: record.cancelAtPeriodEnd,
          hasPeriodEnd: record.currentPeriodEnd !== null && record.currentPeriodEnd !== undefined,
          subscriptions: ((record.subscriptionIds as string[] | undefined) ?? []).length,
          linkedCustomer: record.stripeCustomerId === customerId,
          trialUsed: record.trialUsed ?? false,
        }
      : undefined,
    cognitoGroups: (groups.Groups ?? []).map((g) => g.GroupName ?? '').sort(),
    stripeCustomers: customersOfSub(emulator, user.sub).length,
    auditEntries: (audit.Items ?? []).map((item) => auditKind(item)).sort(),
    auditDuplicates: (audit.Items ?? []).length - new Set((audit.Items ?? []).map((item) => item.eventId)).size,
    checkoutSessions: sessions,
  };
  return state;
}

/** An audit entry without its ids and times: what changed, not when. */
function auditKind(item: Record<string, unknown>): string {
  const { eventType, oldPlan, newPlan, oldStatus, newStatus, groupsAdded, groupsRemoved } = item;
  return JSON.stringify({ eventType, oldPlan, newPlan, oldStatus, newStatus, groupsAdded, groupsRemoved });
}

export async function tableCount(backend: EmulatorBackend, table: string): Promise<number> {
  const out = await backend.ddb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
  return out.Count ?? 0;
}

/** Counts of every table, to prove a request wrote nothing. */
export async function allTableCounts(backend: EmulatorBackend): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(backend.tables).map(async ([key, name]) => [key, await tableCount(backend, name)] as const),
  );
  return Object.fromEntries(entries);
}
