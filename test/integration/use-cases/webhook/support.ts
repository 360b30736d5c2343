import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoProfileStore } from '../../../../lambdas/adapters/dynamo/profile-store';
import type { WebhookEntitlementRecord } from '../../../../lambdas/domain/webhook-entitlement-record';
import { handlerFromEnv } from '../../../../lambdas/handlers/stripe-webhook';
import type { EmulatorBackend } from '../../../../local/backend';
import { createVerifiedUser } from '../../../../local/cognito-users';
import { TEST_WEBHOOK_SECRET } from '../../../fixtures/stripe/builders';
import { uniqueEmail } from '../../../support/backend';
import { StripeDouble } from './stripe-double';

/**
 * The webhook integration suites' shared setup: the shipped handler against the file's emulator backend, the real
 * Stripe SDK against an HTTP double, users in cognito-local with profiles, and a read of the Entitlements item.
 */
export function useWebhookHandler(backend: () => EmulatorBackend, tag: string) {
  const stripe = new StripeDouble();
  let built: ReturnType<typeof handlerFromEnv> | undefined;
  let counter = 0;

  beforeAll(async () => {
    await stripe.start();
    built = handlerFromEnv({
      ...backend().env,
      STRIPE_SECRET_KEY: 'sk_test_double',
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.endpoint,
    });
  });
  afterAll(() => stripe.stop());

  const handle: ReturnType<typeof handlerFromEnv> = (event) => {
    if (!built) throw new Error('webhook handler not built: call inside a test');
    return built(event);
  };

  /** A Cognito user (AdminCreateUser) with a profile linked (unless `link: false`) to a fresh Stripe customer id. */
  async function newUser(options: { link?: boolean } = {}) {
    const { cognitoClient, userPool, ddb, tables } = backend();
    const email = uniqueEmail(tag);
    const { sub, username } = await createVerifiedUser(cognitoClient, userPool.userPoolId, email);
    counter += 1;
    const customerId = `cus_${tag}_${process.pid}_${counter}`;
    await new DynamoProfileStore(ddb, tables.userProfiles).upsert(
      {
        userId: sub,
        cognitoUsername: username,
        email,
        emailVerified: true,
        identityProvider: 'cognito',
        ...(options.link === false ? {} : { stripeCustomerId: customerId }),
      },
      new Date(),
    );
    return { sub, username, customerId };
  }

  async function record(sub: string): Promise<WebhookEntitlementRecord | undefined> {
    const { ddb, tables } = backend();
    const result = await ddb.send(new GetCommand({ TableName: tables.entitlements, Key: { cognito_sub: sub } }));
    return result.Item as WebhookEntitlementRecord | undefined;
  }

  return { stripe, handle, newUser, record };
}
