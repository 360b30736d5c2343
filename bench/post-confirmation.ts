import { handlerFromEnv } from '../lambdas/handlers/post-confirmation';
import { startEmulatorBackend } from '../local/backend';
import { createVerifiedUser, postConfirmationEvent } from '../local/cognito-users';
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
      const user = await createVerifiedUser(backend.cognitoClient, backend.userPool.userPoolId, email);
      const event = postConfirmationEvent(backend.userPool, user);
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
