import { AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { handlerFromEnv } from '../lambdas/handlers/post-confirmation';
import { startEmulatorBackend } from '../local/backend';
import { startStripeEmulator } from '../local/stripe/emulator';
import { type Summary, summarize } from './stats';

export interface PostConfirmationFigures {
  users: number;
  latencyMs: Summary;
  firstMs: number;
}

/**
 * Post-Confirmation latency: the handler (what Cognito's 5 s budget applies to) invoked with the event Cognito
 * sends for users that exist in cognito-local, against dynalite and the Stripe emulator (customer creation).
 */
export async function runPostConfirmationBench(options: { users: number }): Promise<PostConfirmationFigures> {
  const backend = await startEmulatorBackend({ triggers: false });
  const stripe = await startStripeEmulator();
  try {
    const handler = handlerFromEnv({
      ...backend.env,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.apiBase,
    }) as (event: unknown) => Promise<unknown>;
    // Calls are not counted here: this entry's handlerFromEnv takes no RuntimeHooks (latency only).
    const samples: number[] = [];
    let first = Number.NaN;
    for (let i = 0; i < options.users; i += 1) {
      const email = `pc-${i}@example.com`;
      const created = await backend.cognitoClient.send(
        new AdminCreateUserCommand({
          UserPoolId: backend.userPool.userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
          MessageAction: 'SUPPRESS',
        }),
      );
      const username = created.User?.Username ?? email;
      const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? username;
      const event = {
        version: '1',
        triggerSource: 'PostConfirmation_ConfirmSignUp',
        region: 'us-east-1',
        userPoolId: backend.userPool.userPoolId,
        userName: username,
        callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: backend.userPool.userPoolClientId },
        request: {
          userAttributes: { sub, email, email_verified: 'true', 'cognito:user_status': 'CONFIRMED' },
        },
        response: {},
      };
      const started = performance.now();
      await handler(event);
      const took = performance.now() - started;
      if (i === 0) first = took;
      else samples.push(took);
    }
    return {
      users: options.users,
      latencyMs: summarize(samples.length ? samples : [first]),
      firstMs: first,
    };
  } finally {
    await stripe.stop();
    await backend.stop();
  }
}
