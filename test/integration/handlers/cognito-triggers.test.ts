import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory } from '../../../lambdas/adapters/cognito/cognito-users';
import { DynamoProfileStore } from '../../../lambdas/adapters/dynamo/profile-store';
import { handlerFromEnv as postConfirmationFromEnv } from '../../../lambdas/handlers/post-confirmation';
import { createPreSignUpHandler, handlerFromEnv as preSignUpFromEnv } from '../../../lambdas/handlers/pre-signup';
import type { LinkProviderInput } from '../../../lambdas/ports/user-ports';
import { DUPLICATE_EMAIL_MESSAGE, SIGN_UP_UNAVAILABLE_MESSAGE } from '../../../lambdas/use-cases/identity/pre-signup';
import { TRIGGER_FUNCTIONS } from '../../../local/backend';
import { cloneEvent } from '../../fixtures/cognito';
import { uniqueEmail, useEmulatorBackend } from '../../support/backend';
import { type StripeDouble, startStripeDouble } from './trigger-stripe-double';

const PASSWORD = 'Correct-horse-9!';

describe('Cognito triggers against cognito-local + dynalite', () => {
  const backend = useEmulatorBackend();
  let stripe: StripeDouble;

  function env(): Record<string, string> {
    return { ...backend().env, STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_API_BASE: stripe.url };
  }

  beforeAll(async () => {
    stripe = await startStripeDouble();
  });
  afterAll(async () => {
    await stripe.close();
  });
  beforeEach(() => {
    stripe.down = false;
    backend().functions.set(TRIGGER_FUNCTIONS.PreSignUp, preSignUpFromEnv(env()));
    backend().functions.set(TRIGGER_FUNCTIONS.PostConfirmation, postConfirmationFromEnv(env()));
  });

  async function signUp(email: string) {
    const { cognitoClient, userPool } = backend();
    const result = await cognitoClient.send(
      new SignUpCommand({ ClientId: userPool.userPoolClientId, Username: email, Password: PASSWORD }),
    );
    if (!result.UserSub) throw new Error('no sub');
    return result.UserSub;
  }

  async function confirm(email: string) {
    const { cognitoClient, userPool } = backend();
    await cognitoClient.send(new AdminConfirmSignUpCommand({ UserPoolId: userPool.userPoolId, Username: email }));
  }

  async function state(sub: string) {
    const { ddb, tables, cognitoClient, userPool } = backend();
    const profile = await ddb.send(new GetCommand({ TableName: tables.userProfiles, Key: { userId: sub } }));
    const entitlement = await ddb.send(new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: sub } }));
    const user = await cognitoClient.send(new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: sub }));
    const groups = await cognitoClient.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPool.userPoolId, Username: user.Username ?? sub }),
    );
    return {
      profile: profile.Item,
      entitlement: entitlement.Item,
      groups: (groups.Groups ?? []).map((g) => g.GroupName),
      customersForSub: stripe.customers.filter((c) => c.metadata.cognito_sub === sub),
    };
  }

  it('sign up + confirm: one profile, one customer, entitlement none, group free', async () => {
    // Prepare
    const email = uniqueEmail('Confirmed').replace('Confirmed', 'ConfirmedUser');
    // Act
    const sub = await signUp(email);
    await confirm(email);
    // Assess
    const after = await state(sub);
    expect(after.customersForSub).toHaveLength(1);
    expect(after.customersForSub[0]).toMatchObject({
      email: email.toLowerCase(),
      idempotencyKey: `customer-for-${sub}`,
    });
    expect(after.profile).toMatchObject({
      userId: sub,
      cognitoUsername: sub,
      email: email.toLowerCase(),
      identityProvider: 'cognito',
      stripeCustomerId: after.customersForSub[0]?.id,
    });
    expect(after.entitlement).toMatchObject({ status: 'none', plan: 'free', cognitoGroups: ['free'] });
    expect(after.groups).toEqual(['free']);
  });

  it('rejects the same email in another case or width, before and after confirmation', async () => {
    // Prepare: one unconfirmed user (only Cognito knows it) and one confirmed (Cognito and UserProfiles).
    const pending = uniqueEmail('pending');
    await signUp(pending);
    const confirmed = uniqueEmail('confirmed');
    await signUp(confirmed);
    await confirm(confirmed);
    // Act / Assess
    await expect(signUp(pending.toUpperCase())).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
    await expect(signUp(` ${confirmed.replace(/^c/, 'C')}`.trim())).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
    // Full-width letters normalise (NFKC) to the same address.
    await expect(signUp(confirmed.replace(/^c/, 'ｃ'))).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
  });

  it('a rejected duplicate really leaves no second user behind', async () => {
    // Prepare
    const email = uniqueEmail('only-once');
    await signUp(email);
    const directory = new CognitoUserDirectory(backend().cognitoClient, backend().userPool.userPoolId);
    // Act
    const outcome = await signUp(email.toUpperCase()).then(
      () => 'created',
      (error: Error) => error.message,
    );
    // Assess
    expect(outcome).toContain(DUPLICATE_EMAIL_MESSAGE);
    expect(await directory.findByEmail(email)).toHaveLength(1);
  });

  it('fails closed when the profile lookup fails (missing table): sign-up refused, no user created', async () => {
    // Prepare
    backend().functions.set(
      TRIGGER_FUNCTIONS.PreSignUp,
      preSignUpFromEnv({ ...env(), USER_PROFILES_TABLE: 'NoSuchTable' }),
    );
    const email = uniqueEmail('closed');
    const directory = new CognitoUserDirectory(backend().cognitoClient, backend().userPool.userPoolId);
    // Act / Assess
    await expect(signUp(email)).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
    expect(await directory.findByEmail(email)).toHaveLength(0);
  });

  it('fails open when PRE_SIGNUP_FAIL_OPEN=true', async () => {
    // Prepare
    backend().functions.set(
      TRIGGER_FUNCTIONS.PreSignUp,
      preSignUpFromEnv({ ...env(), USER_PROFILES_TABLE: 'NoSuchTable', PRE_SIGNUP_FAIL_OPEN: 'true' }),
    );
    // Act
    const sub = await signUp(uniqueEmail('open'));
    // Assess
    expect(sub).toBeTruthy();
  });

  it('Post-Confirmation delivered twice (sequentially and concurrently) -> one customer', async () => {
    // Prepare
    const email = uniqueEmail('twice');
    const sub = await signUp(email);
    await confirm(email);
    const event = cloneEvent('postConfirmation');
    event.userPoolId = backend().userPool.userPoolId;
    event.userName = sub;
    Object.assign(event.request.userAttributes, { sub, email });
    const handler = postConfirmationFromEnv(env());
    // Act
    await handler(structuredClone(event));
    await Promise.all([handler(structuredClone(event)), handler(structuredClone(event))]);
    // Assess
    const after = await state(sub);
    expect(after.customersForSub).toHaveLength(1);
    expect(after.profile?.stripeCustomerId).toBe(after.customersForSub[0]?.id);
    expect(after.entitlement?.entitlementsVersion).toBe(1);
    expect(after.groups).toEqual(['free']);
  });

  it('concurrent first deliveries share the Stripe customer through the idempotency key', async () => {
    // Prepare: a user confirmed while the trigger was unregistered, so nothing exists yet.
    backend().functions.set(TRIGGER_FUNCTIONS.PostConfirmation, async (e) => e);
    const email = uniqueEmail('race');
    const sub = await signUp(email);
    await confirm(email);
    const event = cloneEvent('postConfirmation');
    event.userPoolId = backend().userPool.userPoolId;
    event.userName = sub;
    Object.assign(event.request.userAttributes, { sub, email });
    const handler = postConfirmationFromEnv(env());
    // Act
    await Promise.all([handler(structuredClone(event)), handler(structuredClone(event))]);
    // Assess
    const after = await state(sub);
    expect(after.customersForSub).toHaveLength(1);
    expect(after.profile?.stripeCustomerId).toBe(after.customersForSub[0]?.id);
  });

  it('forgot-password confirmation creates nothing', async () => {
    // Prepare: a confirmed user with no profile yet (trigger unregistered during confirmation).
    backend().functions.set(TRIGGER_FUNCTIONS.PostConfirmation, async (e) => e);
    const email = uniqueEmail('forgot');
    const sub = await signUp(email);
    await confirm(email);
    const event = cloneEvent('postConfirmationForgotPassword');
    event.userPoolId = backend().userPool.userPoolId;
    event.userName = sub;
    Object.assign(event.request.userAttributes, { sub, email });
    // Act
    const result = await postConfirmationFromEnv(env())(structuredClone(event));
    // Assess
    expect(result).toEqual(event);
    const after = await state(sub);
    expect(after.profile).toBeUndefined();
    expect(after.entitlement).toBeUndefined();
    expect(after.customersForSub).toHaveLength(0);
    expect(after.groups).toEqual([]);
  });

  it('Stripe unavailable -> profile without customer id, entitlement none, group free', async () => {
    // Prepare
    stripe.down = true;
    const email = uniqueEmail('nostripe');
    // Act
    const sub = await signUp(email);
    await confirm(email);
    // Assess
    const after = await state(sub);
    expect(after.profile).toMatchObject({ userId: sub, email });
    expect(after.profile?.stripeCustomerId).toBeUndefined();
    expect(after.entitlement).toMatchObject({ status: 'none', cognitoGroups: ['free'] });
    expect(after.groups).toEqual(['free']);
    expect(after.customersForSub).toHaveLength(0);
  });

  it("federated sign-in with a native user's verified email links to that user (link API doubled)", async () => {
    // Prepare: cognito-local has no AdminLinkProviderForUser; the real directory does the lookup, a double links.
    const email = uniqueEmail('native');
    const sub = await signUp(email);
    await confirm(email);
    const links: LinkProviderInput[] = [];
    const handler = createPreSignUpHandler((userPoolId) => {
      const directory = new CognitoUserDirectory(backend().cognitoClient, userPoolId);
      directory.linkProvider = async (input) => {
        links.push(input);
      };
      return {
        users: directory,
        profiles: new DynamoProfileStore(backend().ddb, backend().tables.userProfiles),
        failOpen: false,
      };
    });
    const event = cloneEvent('preSignUpExternal');
    event.userPoolId = backend().userPool.userPoolId;
    event.request.userAttributes.email = email.toUpperCase();
    // Act
    const result = await handler(event);
    // Assess
    expect(links).toEqual([
      { destinationUsername: sub, providerName: 'Google', providerUserId: '108475309371254389765' },
    ]);
    expect(result.response.autoConfirmUser).toBe(false);
  });
});
