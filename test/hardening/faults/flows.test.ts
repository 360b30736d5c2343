import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import { handlerFromEnv as checkoutFromEnv } from '../../../lambdas/handlers/checkout-session';
import { handlerFromEnv as deleteAccountFromEnv } from '../../../lambdas/handlers/delete-account';
import { handlerFromEnv as postConfirmationFromEnv } from '../../../lambdas/handlers/post-confirmation';
import { handlerFromEnv as preSignUpFromEnv } from '../../../lambdas/handlers/pre-signup';
import { handlerFromEnv as webhookFromEnv } from '../../../lambdas/handlers/stripe-webhook';
import { handlerFromEnv as statusFromEnv } from '../../../lambdas/handlers/subscription-status';
import type { HttpResult } from '../../../lambdas/platform/http';
import { SignUpRejectedError } from '../../../lambdas/use-cases/identity/pre-signup';
import type { StripeEmulator } from '../../../local/stripe/emulator';
import type { StripeEvent } from '../../../local/stripe/engine';
import { uniqueEmail, useEmulatorBackend } from '../../support/backend';
import {
  differences,
  distinctCalls,
  FAULT_KINDS,
  type FaultKind,
  type FaultNetwork,
  startFaultableStack,
} from '../../support/faults';
import {
  createCognitoUser,
  eventsOfCustomer,
  jwtRequest,
  postConfirmationEvent,
  preSignUpEvent,
  signedWebhook,
  type TestUser,
  userState,
} from '../support';

/**
 * Fault injection per external call of each flow, table-driven from the flow's own calls: a fault-free run lists
 * every DynamoDB / Cognito / Stripe call the flow makes (through FaultNetwork's proxies), then each call is made to
 * throttle, answer 5xx or time out (every SDK retry included), once, in a fresh run. Assessed per scenario:
 * - the request that hit the fault answered a retryable error (webhook 500, trigger throw, HTTP 503), or it
 *   succeeded and the state is still complete (a success that hid a loss shows up as a state mismatch);
 * - after redelivering like the real caller (Stripe resends the event, Cognito re-runs the trigger, the user
 *   retries), the user's state equals the fault-free run's: entitlement, profile, Cognito groups, one Stripe
 *   customer, audit entries, checkout sessions.
 */

type Outcome = 'ok' | 'retryable' | 'fatal';
interface Step {
  name: string;
  run(): Promise<{ outcome: Outcome; detail: string }>;
}
interface FlowRun<C> {
  ctx: C;
  steps: Step[];
}
interface Flow<C> {
  name: string;
  prepare(): Promise<FlowRun<C>>;
  /** What the caller does next whatever happened (the user's next request), faults off. */
  after?(ctx: C): Promise<void>;
  state(ctx: C): Promise<unknown>;
}

interface ScenarioResult {
  flow: string;
  call: string;
  kind: FaultKind;
  injected: boolean;
  surfaced: boolean;
  converged: boolean;
  fatal: string[];
  mismatch?: { expected: unknown; actual: unknown };
}

const backendOf = useEmulatorBackend({ triggers: false });
let emulator: StripeEmulator;
let network: FaultNetwork;
let env: Record<string, string>;
const results: ScenarioResult[] = [];

beforeAll(async () => {
  const backend = backendOf();
  ({ emulator, network, env } = await startFaultableStack(backend));
});

afterAll(async () => {
  await network?.stop();
  await emulator?.stop();
  for (const flow of [...new Set(results.map((r) => r.flow))]) {
    const of = results.filter((r) => r.flow === flow);
    console.log(
      `[hardening:faults] ${flow}: calls=${new Set(of.map((r) => r.call)).size} scenarios=${of.length} converged=${of.filter((r) => r.converged && r.fatal.length === 0).length} surfaced=${of.filter((r) => r.surfaced).length} absorbed=${of.filter((r) => r.injected && !r.surfaced).length} [${[...new Set(of.map((r) => r.call))].join(', ')}]`,
    );
  }
  const converged = results.filter((r) => r.converged && r.fatal.length === 0).length;
  const injected = results.filter((r) => r.injected).length;
  console.log(
    `[hardening:faults] scenarios run=${results.length} faults injected=${injected} converged=${converged} surfaced as retryable=${results.filter((r) => r.surfaced).length}`,
  );
});

const httpOutcome = (result: HttpResult, okStatus: number): { outcome: Outcome; detail: string } => ({
  outcome: result.statusCode === okStatus ? 'ok' : result.statusCode === 503 ? 'retryable' : 'fatal',
  detail: `${result.statusCode} ${result.body.slice(0, 160)}`,
});

async function thrown(run: () => Promise<unknown>): Promise<{ outcome: Outcome; detail: string }> {
  try {
    await run();
    return { outcome: 'ok', detail: 'returned' };
  } catch (error) {
    // Only a dependency outage is worth Cognito's retry; anything else thrown is a bug the fault exposed.
    const retryable =
      error instanceof DependencyUnavailableError ||
      (error instanceof SignUpRejectedError && error.reason === 'unavailable');
    return {
      outcome: retryable ? 'retryable' : 'fatal',
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Fresh handler instances per run: a cold container, so per-container caches (prices) do not hide calls. */
function handlers() {
  return {
    webhook: webhookFromEnv(env),
    postConfirmation: postConfirmationFromEnv(env),
    preSignUp: preSignUpFromEnv(env),
    status: statusFromEnv(env),
    checkout: checkoutFromEnv(env),
    deleteAccount: deleteAccountFromEnv(env),
  };
}

async function provisioned(tag: string): Promise<TestUser> {
  const user = await createCognitoUser(backendOf(), tag);
  await handlers().postConfirmation(postConfirmationEvent(backendOf(), user));
  return user;
}

function checkoutRequest(user: TestUser): APIGatewayProxyEventV2 {
  return jwtRequest(user, {
    method: 'POST',
    path: '/checkout/sessions',
    body: JSON.stringify({ plan: 'pro', interval: 'month' }),
  });
}

async function checkoutOk(user: TestUser): Promise<{ id: string }> {
  const result = await handlers().checkout(checkoutRequest(user));
  if (result.statusCode !== 201) throw new Error(`checkout answered ${result.statusCode}: ${result.body}`);
  return JSON.parse(result.body) as { id: string };
}

/** Stripe's in-order delivery of `events`, each until it is accepted. */
async function deliverAll(events: readonly StripeEvent[]): Promise<void> {
  const handler = handlers().webhook;
  for (const event of events) {
    const result = await handler(signedWebhook(JSON.stringify(event), emulator.webhookSecret));
    if (result.statusCode !== 200) throw new Error(`delivery of ${event.type} answered ${result.statusCode}`);
  }
}

async function runScenario<C>(flow: Flow<C>, fault?: { call: string; kind: FaultKind }) {
  const { ctx, steps } = await flow.prepare();
  network.reset();
  const injectedBefore = network.injected();
  if (fault) network.arm(fault.call, fault.kind);
  const pending: Step[] = [];
  const fatal: string[] = [];
  let surfaced = false;
  for (const step of steps) {
    const { outcome, detail } = await step.run();
    if (outcome === 'retryable') {
      surfaced = true;
      pending.push(step);
    }
    if (outcome === 'fatal') fatal.push(`${step.name}: ${detail}`);
    // One transient fault window: it ends with the request that hit it.
    if (network.injected() > injectedBefore) network.disarm();
  }
  const calls = network.calls();
  network.disarm();
  const injected = network.injected() > injectedBefore;
  // The real caller redelivers what failed, later (so after newer events: reordering included).
  for (const step of pending) {
    let last = await step.run();
    for (let attempt = 1; attempt < 3 && last.outcome !== 'ok'; attempt += 1) last = await step.run();
    if (last.outcome !== 'ok') fatal.push(`${step.name} (redelivered): ${last.detail}`);
  }
  await flow.after?.(ctx);
  return { state: await flow.state(ctx), calls, injected, surfaced, fatal };
}

async function runFlow<C>(flow: Flow<C>): Promise<ScenarioResult[]> {
  const baseline = await runScenario(flow);
  expect(baseline.fatal).toEqual([]);
  const scenarios = distinctCalls(baseline.calls).flatMap((call) => FAULT_KINDS.map((kind) => ({ call, kind })));
  const flowResults: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const run = await runScenario(flow, scenario);
    let converged = true;
    try {
      expect(run.state).toEqual(baseline.state);
    } catch {
      converged = false;
    }
    const result: ScenarioResult = {
      flow: flow.name,
      ...scenario,
      injected: run.injected,
      surfaced: run.surfaced,
      converged,
      fatal: run.fatal,
      ...(converged ? {} : { mismatch: { expected: baseline.state, actual: run.state } }),
    };
    flowResults.push(result);
    results.push(result);
  }
  return flowResults;
}

/** One line per scenario that did not converge, with why: readable in a failing assertion. */
function failuresOf(flowResults: ScenarioResult[]) {
  return flowResults
    .filter((r) => !r.injected || !r.converged || r.fatal.length > 0)
    .map((r) =>
      [
        `${r.flow} | ${r.call} | ${r.kind}`,
        r.injected ? (r.surfaced ? 'surfaced' : 'absorbed') : 'NOT INJECTED',
        ...r.fatal,
        ...(r.mismatch ? differences(r.mismatch.expected, r.mismatch.actual) : []),
      ].join(' | '),
    );
}

describe('fault injection: every external call of every flow throttles, fails 5xx or times out once', () => {
  it('Stripe webhook: checkout completed then cancelled, every delivery redelivered on 500', async () => {
    const flow: Flow<TestUser> = {
      name: 'webhook',
      async prepare() {
        const user = await provisioned('fault-webhook');
        const session = await checkoutOk(user);
        const { subscription } = emulator.completeCheckout(session.id);
        await emulator.client().subscriptions.cancel(subscription.id);
        const customerId = subscription.customer as string;
        const events: StripeEvent[] = eventsOfCustomer(emulator, customerId);
        const handler = handlers().webhook;
        const steps = events.map((event) => ({
          name: `${event.type} ${event.id}`,
          async run() {
            const result = await handler(signedWebhook(JSON.stringify(event), emulator.webhookSecret));
            return {
              outcome: (result.statusCode === 200 ? 'ok' : result.statusCode >= 500 ? 'retryable' : 'fatal') as Outcome,
              detail: `${result.statusCode} ${result.body}`,
            };
          },
        }));
        return { ctx: user, steps };
      },
      // The audit trail records transitions in arrival order, so a redelivery after newer events legitimately
      // tells another story; what must hold is no duplicate entry and a last entry that matches the final state.
      state: async (user) => {
        const { auditEntries, ...rest } = await userState(backendOf(), emulator, user);
        const entries = auditEntries.map((entry) => JSON.parse(entry) as { newPlan: string; newStatus: string });
        return { ...rest, auditRecordsCancel: entries.some((e) => e.newStatus === 'canceled' && e.newPlan === 'free') };
      },
    };
    const flowResults = await runFlow(flow);
    expect(flowResults.length).toBeGreaterThanOrEqual(FAULT_KINDS.length * 4);
    expect(failuresOf(flowResults)).toEqual([]);
  });

  it('Post-Confirmation: the trigger throws on DynamoDB/Cognito faults, survives Stripe faults; Cognito retries', async () => {
    const flow: Flow<TestUser> = {
      name: 'post-confirmation',
      async prepare() {
        const user = await createCognitoUser(backendOf(), 'fault-postconf');
        const handler = handlers().postConfirmation;
        const event = postConfirmationEvent(backendOf(), user);
        return { ctx: user, steps: [{ name: 'PostConfirmation', run: () => thrown(() => handler(event)) }] };
      },
      // The user's next requests: the status read, then checkout (which creates a customer Stripe could not).
      async after(user) {
        await handlers().status(jwtRequest(user));
        const { subscription } = emulator.completeCheckout((await checkoutOk(user)).id);
        await deliverAll(eventsOfCustomer(emulator, subscription.customer as string));
      },
      state: (user) => userState(backendOf(), emulator, user),
    };
    expect(failuresOf(await runFlow(flow))).toEqual([]);
  });

  for (const existing of [true, false]) {
    it(`Pre-Signup (${existing ? 'duplicate email in another case' : 'new email'}): lookup faults refuse "unavailable", the retry decides like the fault-free run`, async () => {
      let taken: TestUser | undefined;
      const flow: Flow<{ result: string }> = {
        name: `pre-signup ${existing ? 'duplicate' : 'new'}`,
        async prepare() {
          taken ??= await provisioned('fault-presignup');
          const email = existing ? taken.email.toUpperCase() : uniqueEmail('fault-presignup-new');
          const handler = handlers().preSignUp;
          const ctx = { result: 'none' };
          const run = async (): Promise<{ outcome: Outcome; detail: string }> => {
            try {
              await handler(preSignUpEvent(backendOf(), email));
              ctx.result = 'allowed';
              return { outcome: 'ok', detail: 'allowed' };
            } catch (error) {
              if (error instanceof SignUpRejectedError && error.reason === 'unavailable') {
                return { outcome: 'retryable', detail: error.message };
              }
              ctx.result = error instanceof SignUpRejectedError ? `rejected:${error.reason}` : String(error);
              return { outcome: ctx.result.startsWith('rejected:') ? 'ok' : 'fatal', detail: ctx.result };
            }
          };
          return { ctx, steps: [{ name: 'PreSignUp', run }] };
        },
        state: async (ctx) => ctx.result,
      };
      expect(failuresOf(await runFlow(flow))).toEqual([]);
    });
  }

  it('POST /checkout/sessions (customer created on first checkout): 503 on faults, the retry ends with one customer', async () => {
    const flow: Flow<TestUser> = {
      name: 'checkout',
      async prepare() {
        const user = await createCognitoUser(backendOf(), 'fault-checkout');
        await handlers().status(jwtRequest(user)); // provisions the profile, without a Stripe customer
        const handler = handlers().checkout;
        return {
          ctx: user,
          steps: [{ name: 'checkout', run: async () => httpOutcome(await handler(checkoutRequest(user)), 201) }],
        };
      },
      state: (user) => userState(backendOf(), emulator, user),
    };
    expect(failuresOf(await runFlow(flow))).toEqual([]);
  });

  it('DELETE /account (a paying user): 503 on faults, the retry finishes the deletion exactly like a fault-free one', async () => {
    interface Ctx {
      user: TestUser;
      customerId: string;
    }
    const { ddb, tables, cognitoClient, userPool } = backendOf();
    const flow: Flow<Ctx> = {
      name: 'delete-account',
      async prepare() {
        const user = await provisioned('fault-delete');
        const { subscription } = emulator.completeCheckout((await checkoutOk(user)).id);
        const customerId = subscription.customer as string;
        await deliverAll(eventsOfCustomer(emulator, customerId));
        // A credit ledger (as a bought pack leaves it): it goes with the account.
        await ddb.send(
          new PutCommand({
            TableName: tables.credits,
            Item: { cognito_sub: user.sub, balance: 40, version: 1, grants: {}, updatedAt: new Date().toISOString() },
          }),
        );
        const request = jwtRequest(user, { method: 'DELETE', path: '/account' });
        // A sign-in a few seconds ago (the route's re-confirmation).
        const claims = (
          request.requestContext as unknown as { authorizer: { jwt: { claims: Record<string, string> } } }
        ).authorizer.jwt.claims;
        claims.auth_time = String(Math.floor(Date.now() / 1000) - 5);
        const handler = handlers().deleteAccount;
        return {
          ctx: { user, customerId },
          steps: [{ name: 'DELETE /account', run: async () => httpOutcome(await handler(request), 200) }],
        };
      },
      async state({ user, customerId }) {
        const item = async (table: string, key: Record<string, string>) =>
          (await ddb.send(new GetCommand({ TableName: table, Key: key }))).Item;
        const cognitoUser = await cognitoClient
          .send(new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: user.username }))
          .then(
            () => 'exists',
            (error: Error) => error.name,
          );
        const tombstone = await item(tables.auditLog, { userId: user.sub, entryId: 'account#deleted' });
        return {
          profile: (await item(tables.userProfiles, { userId: user.sub })) !== undefined,
          record: (await item(tables.entitlements, { cognito_sub: user.sub })) !== undefined,
          credits: (await item(tables.credits, { cognito_sub: user.sub })) !== undefined,
          cognitoUser,
          customer: emulator.engine.store.get(customerId, 'customer')?.deleted === true ? 'deleted' : 'live',
          subscriptions: emulator.engine.store
            .all('subscription')
            .filter((subscription) => subscription.customer === customerId)
            .map((subscription) => subscription.status),
          tombstone: tombstone
            ? {
                trigger: tombstone.trigger,
                customer: tombstone.customer,
                linked: tombstone.stripeCustomerId === customerId,
              }
            : undefined,
          customerTombstone:
            (await item(tables.auditLog, { userId: `stripe-customer#${customerId}`, entryId: 'account#deleted' })) !==
            undefined,
        };
      },
    };
    const flowResults = await runFlow(flow);
    expect(flowResults.length).toBeGreaterThanOrEqual(FAULT_KINDS.length * 8);
    expect(failuresOf(flowResults)).toEqual([]);
  });

  // The first read heals the caller in full (Cognito user, profile, record, a Stripe customer, groups): three
  // faults per call of that many calls outlast the default minute.
  it('GET /subscription/status (first read provisions): 503 on faults, the retry heals', {
    timeout: 300_000,
  }, async () => {
    const flow: Flow<TestUser> = {
      name: 'status',
      async prepare() {
        const user = await createCognitoUser(backendOf(), 'fault-status');
        const handler = handlers().status;
        return {
          ctx: user,
          steps: [{ name: 'status', run: async () => httpOutcome(await handler(jwtRequest(user)), 200) }],
        };
      },
      // A retry after a half-done group sync repairs the groups through the webhook's write path, which audits the
      // group change it makes (free -> free, groups added): a true entry the fault-free run has no reason to write.
      // What must hold is no duplicate and no plan or status transition the fault-free run did not make.
      state: async (user) => {
        const { auditEntries, ...rest } = await userState(backendOf(), emulator, user);
        const transitions = auditEntries
          .map(
            (entry) => JSON.parse(entry) as { oldPlan: string; newPlan: string; oldStatus: string; newStatus: string },
          )
          .filter((e) => e.oldPlan !== e.newPlan || e.oldStatus !== e.newStatus);
        return { ...rest, transitions };
      },
    };
    expect(failuresOf(await runFlow(flow))).toEqual([]);
  });
});
