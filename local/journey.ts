import {
  AdminConfirmSignUpCommand,
  AdminListGroupsForUserCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';
import { createCognitoClient, createDynamoDocumentClient } from '../lambdas/platform/clients';
import { createStripeClient } from '../lambdas/platform/stripe-client';
import type { StackInfo } from './stack';

/**
 * The scripted user journey against a running local stack, shared by `npm run demo` and the e2e test:
 * sign up -> confirm -> profile + Stripe customer -> status none -> checkout pro -> pay -> webhook -> trial ends ->
 * active/pro -> a renewal fails (past_due, still pro in grace) -> Stripe's retry pays (active) -> a partial refund
 * (access kept) -> cancel at period end -> advance time -> canceled/free. Stops at the first failing step.
 * Time moves with the emulator's clock: renewals are charged an hour after the period end, retries follow the
 * account's Smart Retries schedule (https://docs.stripe.com/billing/revenue-recovery/smart-retries).
 */

export class JourneyStepError extends Error {
  override name = 'JourneyStepError';
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

export interface StatusBody {
  status: string;
  plan: string;
  entitled: boolean;
  groups: string[];
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
  [key: string]: unknown;
}

export interface JourneyResult {
  email: string;
  sub: string;
  idToken: string;
  stripeCustomerId: string;
  subscriptionId: string;
  statuses: {
    initial: StatusBody;
    afterPayment: StatusBody;
    afterFailedRenewal: StatusBody;
    afterRetry: StatusBody;
    afterRefund: StatusBody;
    afterCancelRequest: StatusBody;
    final: StatusBody;
  };
  /** The refund the journey made (a partial refund of the renewal charge). */
  refund: { charge: string; amount: number };
  cognitoGroups: { afterPayment: string[]; final: string[] };
}

export const DEMO_PASSWORD = 'Demo-passw0rd!';

export async function runJourney(
  info: StackInfo,
  options: { email?: string; log?: (line: string) => void } = {},
): Promise<JourneyResult> {
  const log = options.log ?? (() => undefined);
  const email = options.email ?? `demo-${Date.now()}@example.com`;
  const cognito = createCognitoClient({ region: info.region, endpoint: info.cognitoEndpoint });
  const ddb = createDynamoDocumentClient({ region: info.region, endpoint: info.dynamodbEndpoint });
  const emulated = !info.stripeApiBase.startsWith('https://api.stripe.com');
  const stripe = createStripeClient({
    secretKey: info.stripeSecretKey,
    ...(emulated ? { apiBase: info.stripeApiBase } : {}),
    maxNetworkRetries: 0,
  });
  const step = async <T>(name: string, run: () => Promise<T>, describe: (value: T) => string): Promise<T> => {
    let value: T;
    try {
      value = await run();
    } catch (error) {
      if (error instanceof JourneyStepError) throw error;
      throw new JourneyStepError(name, error instanceof Error ? error.message : String(error));
    }
    log(`✔ ${name}: ${describe(value)}`);
    return value;
  };
  const fail = (name: string, message: string): never => {
    throw new JourneyStepError(name, message);
  };
  const api = apiClient(info.apiUrl);
  const emulator = emulatorClient(info, emulated);

  const sub = await step(
    'sign up',
    async () => {
      const out = await cognito.send(
        new SignUpCommand({
          ClientId: info.userPoolClientId,
          Username: email,
          Password: DEMO_PASSWORD,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      return out.UserSub ?? fail('sign up', 'Cognito returned no user sub');
    },
    (value) => `${email} -> sub ${value}`,
  );
  await step(
    'confirm',
    () => cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: info.userPoolId, Username: sub })),
    () => 'AdminConfirmSignUp ran the Post-Confirmation trigger',
  );
  const idToken = await step(
    'sign in',
    async () => {
      const out = await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: info.userPoolClientId,
          AuthParameters: { USERNAME: email, PASSWORD: DEMO_PASSWORD },
        }),
      );
      return out.AuthenticationResult?.IdToken ?? fail('sign in', 'no ID token');
    },
    () => 'got an ID token',
  );
  const stripeCustomerId = await step(
    'profile and Stripe customer',
    async () => {
      const profile = (await ddb.send(new GetCommand({ TableName: info.tables.userProfiles, Key: { userId: sub } })))
        .Item;
      if (!profile)
        return fail('profile and Stripe customer', `no UserProfiles row for ${sub} (Post-Confirmation trigger?)`);
      const customerId = typeof profile.stripeCustomerId === 'string' ? profile.stripeCustomerId : undefined;
      if (!customerId) return fail('profile and Stripe customer', 'the profile has no stripeCustomerId');
      const customer = (await stripe.customers.retrieve(customerId)) as Stripe.Customer;
      if (customer.metadata?.cognito_sub !== sub) {
        return fail(
          'profile and Stripe customer',
          `customer ${customerId} has metadata.cognito_sub=${customer.metadata?.cognito_sub}`,
        );
      }
      return customerId;
    },
    (id) => `profile row with customer ${id} (metadata.cognito_sub matches)`,
  );
  const initial = await step(
    'status none',
    async () => expectStatus('status none', await api.status(idToken), { status: 'none' }),
    (s) => `status=${s.status} plan=${s.plan} entitled=${s.entitled}`,
  );
  const checkout = await step(
    'checkout for pro',
    async () => {
      const response = await api.post('/checkout/sessions', idToken, { plan: 'pro', interval: 'month' });
      if (response.status !== 201 && response.status !== 200) {
        return fail(
          'checkout for pro',
          `POST /checkout/sessions answered ${response.status}: ${JSON.stringify(response.body)}`,
        );
      }
      const body = response.body as { id?: string; url?: string };
      if (!body.url) return fail('checkout for pro', 'no session url');
      return { id: body.id ?? '', url: body.url };
    },
    (s) => `session ${s.id}`,
  );
  const subscriptionId = await step(
    'pay',
    async () => {
      if (!emulated) return fail('pay', `open ${checkout.url} in a browser and pay with card 4242 4242 4242 4242`);
      const response = await fetch(checkout.url, { headers: { accept: 'application/json' } });
      const body = (await response.json()) as { subscription?: string; error?: { message: string } };
      if (!response.ok || !body.subscription)
        return fail('pay', `checkout page answered ${response.status}: ${body.error?.message ?? ''}`);
      return body.subscription;
    },
    (id) => `paid; subscription ${id}`,
  );
  await step(
    'webhook',
    () => emulator.drain('webhook'),
    (d) => `${d.delivered} event(s) delivered, ${d.failed} failed`,
  );
  const paidStatus = await step(
    'status after payment',
    async () => {
      const response = await api.status(idToken);
      const trialing = (response.body as { status?: string }).status === 'trialing';
      return expectStatus('status after payment', response, {
        status: trialing ? 'trialing' : 'active',
        plan: 'pro',
        group: 'pro',
      });
    },
    (s) => `status=${s.status} plan=${s.plan} groups=${s.groups.join(',')}`,
  );
  if (paidStatus.status === 'trialing') {
    // A user's first checkout includes the catalog's trial (one per identity): let it end; the card is charged an
    // hour later, when Stripe finalizes the first invoice.
    await step(
      'trial ends',
      async () => {
        const subscription = await stripe.subscriptions.retrieve(subscriptionId);
        const trialEnd = subscription.trial_end ?? fail('trial ends', 'trialing subscription without trial_end');
        return emulator.advanceTo(trialEnd + 3600 + 60, 'trial ends');
      },
      (types) => `advanced past the trial end: ${types.join(', ') || 'no events'}`,
    );
  }
  const afterPayment = await step(
    'status active, group pro',
    async () =>
      expectStatus('status active, group pro', await api.status(idToken), {
        status: 'active',
        plan: 'pro',
        group: 'pro',
      }),
    (s) => `status=${s.status} plan=${s.plan} groups=${s.groups.join(',')}`,
  );
  const groupsAfterPayment = await step(
    'Cognito group pro',
    async () => {
      const groups = await cognitoGroups(cognito, info.userPoolId, sub);
      if (!groups.includes('pro')) return fail('Cognito group pro', `Cognito groups are [${groups.join(', ')}]`);
      return groups;
    },
    (g) => `Cognito groups [${g.join(', ')}]`,
  );
  const dunning = await renewalFailsThenRetryPays({ step, fail, api, stripe, emulator, idToken, subscriptionId });
  const refunded = await partialRefund({ step, fail, api, stripe, emulator, idToken, customerId: stripeCustomerId });
  const afterCancelRequest = await step(
    'cancel at period end',
    async () => {
      // What the billing portal does when the user cancels.
      await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
      await emulator.drain('cancel at period end');
      return expectStatus('cancel at period end', await api.status(idToken), {
        status: 'active',
        cancelAtPeriodEnd: true,
      });
    },
    (s) => `still ${s.status} until ${s.currentPeriodEnd}, cancelAtPeriodEnd=${s.cancelAtPeriodEnd}`,
  );
  await step(
    'advance time',
    async () => {
      const subscription = await stripe.subscriptions.retrieve(subscriptionId);
      const end = subscription.items.data[0]?.current_period_end ?? fail('advance time', 'no current_period_end');
      return emulator.advanceTo(end + 60, 'advance time');
    },
    (types) => `past the period end: ${types.join(', ') || 'no events'}`,
  );
  const final = await step(
    'status canceled, group free',
    async () =>
      expectStatus('status canceled, group free', await api.status(idToken), {
        status: 'canceled',
        plan: 'free',
        group: 'free',
      }),
    (s) => `status=${s.status} plan=${s.plan} groups=${s.groups.join(',')}`,
  );
  const finalGroups = await step(
    'Cognito group free',
    async () => {
      const groups = await cognitoGroups(cognito, info.userPoolId, sub);
      if (!groups.includes('free') || groups.includes('pro')) {
        return fail('Cognito group free', `Cognito groups are [${groups.join(', ')}]`);
      }
      return groups;
    },
    (g) => `Cognito groups [${g.join(', ')}]`,
  );
  cognito.destroy();
  ddb.destroy();
  return {
    email,
    sub,
    idToken,
    stripeCustomerId,
    subscriptionId,
    statuses: { initial, afterPayment, ...dunning, afterRefund: refunded.status, afterCancelRequest, final },
    refund: refunded.refund,
    cognitoGroups: { afterPayment: groupsAfterPayment, final: finalGroups },
  };
}

type Step = <T>(name: string, run: () => Promise<T>, describe: (value: T) => string) => Promise<T>;

interface JourneyTools {
  step: Step;
  fail: (name: string, message: string) => never;
  api: ReturnType<typeof apiClient>;
  stripe: Stripe;
  emulator: ReturnType<typeof emulatorClient>;
  idToken: string;
}

/**
 * The next renewal's payment is declined (the emulator's stand-in for a declining test card): an hour after the
 * period end `invoice.payment_failed` + `past_due` (still entitled within the grace period), then Stripe's first
 * retry is paid: `invoice.paid` + `active` again.
 */
async function renewalFailsThenRetryPays(tools: JourneyTools & { subscriptionId: string }) {
  const { step, fail, api, stripe, emulator, idToken, subscriptionId } = tools;
  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  const customer = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
  const afterFailedRenewal = await step(
    'renewal fails',
    async () => {
      await emulator.control('POST', '/_emulator/fail-next-payment', { customer, count: 1 });
      const end = subscription.items.data[0]?.current_period_end ?? fail('renewal fails', 'no current_period_end');
      const types = await emulator.advanceTo(end + 3600 + 60, 'renewal fails');
      if (!types.includes('invoice.payment_failed'))
        fail('renewal fails', `no invoice.payment_failed in ${types.join(', ')}`);
      return expectStatus('renewal fails', await api.status(idToken), {
        status: 'past_due',
        plan: 'pro',
        group: 'pro',
      });
    },
    (s) => `invoice.payment_failed; status=${s.status} plan=${s.plan} entitled=${s.entitled} (grace)`,
  );
  const afterRetry = await step(
    'retry pays',
    async () => {
      const latest = await stripe.subscriptions.retrieve(subscriptionId, { expand: ['latest_invoice'] });
      const invoice = latest.latest_invoice as Stripe.Invoice | null;
      const next =
        invoice?.next_payment_attempt ?? fail('retry pays', 'the failed invoice has no next_payment_attempt');
      const types = await emulator.advanceTo(next + 60, 'retry pays');
      if (!types.includes('invoice.paid')) fail('retry pays', `no invoice.paid in ${types.join(', ')}`);
      return expectStatus('retry pays', await api.status(idToken), { status: 'active', plan: 'pro', group: 'pro' });
    },
    (s) => `Smart Retries charged again: invoice.paid; status=${s.status} plan=${s.plan}`,
  );
  return { afterFailedRenewal, afterRetry };
}

/** A goodwill partial refund of the latest charge: `refund.created` + `charge.refunded`, access is kept. */
async function partialRefund(tools: JourneyTools & { customerId: string }) {
  const { step, fail, api, stripe, emulator, idToken, customerId } = tools;
  return step(
    'partial refund',
    async () => {
      const charge = (await stripe.charges.list({ customer: customerId, limit: 1 })).data[0];
      if (!charge) return fail('partial refund', 'the customer has no charge');
      const amount = Math.floor(charge.amount / 2);
      await stripe.refunds.create({ charge: charge.id, amount, reason: 'requested_by_customer' });
      await emulator.drain('partial refund');
      const status = expectStatus('partial refund', await api.status(idToken), {
        status: 'active',
        plan: 'pro',
        group: 'pro',
      });
      return { status, refund: { charge: charge.id, amount } };
    },
    ({ refund, status }) =>
      `refunded ${refund.amount} of ${refund.charge}; status=${status.status} plan=${status.plan}`,
  );
}

function expectStatus(
  step: string,
  response: { status: number; body: unknown },
  want: { status: string; plan?: string; group?: string; cancelAtPeriodEnd?: boolean },
): StatusBody {
  if (response.status !== 200) {
    throw new JourneyStepError(
      step,
      `GET /subscription/status answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  const body = response.body as StatusBody;
  const problems = [
    body.status !== want.status && `status is ${body.status}, expected ${want.status}`,
    want.plan && body.plan !== want.plan && `plan is ${body.plan}, expected ${want.plan}`,
    want.group &&
      !body.groups?.includes(want.group) &&
      `groups are [${body.groups?.join(', ')}], expected ${want.group}`,
    want.cancelAtPeriodEnd !== undefined &&
      body.cancelAtPeriodEnd !== want.cancelAtPeriodEnd &&
      `cancelAtPeriodEnd is ${body.cancelAtPeriodEnd}`,
  ].filter(Boolean);
  if (problems.length) throw new JourneyStepError(step, problems.join('; '));
  return body;
}

async function cognitoGroups(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  sub: string,
): Promise<string[]> {
  const out = await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: sub }));
  return (out.Groups ?? []).map((g) => g.GroupName ?? '').sort();
}

function apiClient(apiUrl: string) {
  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, body: parsed };
  };
  return {
    status: (token: string) => call('GET', '/subscription/status', token),
    post: (path: string, token: string, body: unknown) => call('POST', path, token, body),
  };
}

function emulatorClient(info: StackInfo, emulated: boolean) {
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    if (!emulated) throw new Error('this step needs the local Stripe emulator (unset STRIPE_SECRET_KEY)');
    const response = await fetch(`${info.stripeApiBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${info.stripeSecretKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const drain = async (step: string) => {
    const result = await control<{ delivered: number; failed: number }>('POST', '/_emulator/drain');
    const failed = (
      await control<{ data: { status: string; type: string; lastError?: string }[] }>('GET', '/_emulator/deliveries')
    ).data.filter((d) => d.status === 'failed');
    if (failed.length) {
      throw new JourneyStepError(
        step,
        `webhook delivery failed: ${failed.map((d) => `${d.type} (${d.lastError})`).join(', ')}`,
      );
    }
    return result;
  };
  /** Moves the emulator clock to `at` (epoch s), then waits for the events it caused to be delivered. */
  const advanceTo = async (at: number, step: string): Promise<string[]> => {
    const clock = await control<{ now: number }>('GET', '/_emulator/clock');
    const advanced = await control<{ events: { type: string }[] }>('POST', '/_emulator/advance', {
      seconds: Math.max(0, at - clock.now),
    });
    await drain(step);
    return advanced.events.map((e) => e.type);
  };
  return { control, drain, advanceTo };
}
