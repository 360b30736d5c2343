import { AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoParkedEventStore } from '../../../lambdas/adapters/dynamo/parked-events';
import { createReconcileScheduledHandler } from '../../../lambdas/handlers/reconcile-scheduled';
import { CONTRACTS } from '../../../lambdas/platform/contracts';
import { logger } from '../../../lambdas/platform/logger';
import { createRuntime } from '../../../lambdas/platform/runtime';
import type { Clock } from '../../../lambdas/ports/app-ports';
import { reconcileDepsFromRuntime } from '../../../lambdas/wiring/reconcile';
import type { StripeEmulator } from '../../../local/stripe/emulator';
import {
  catalog,
  confirmedUser,
  linkedUser,
  provisionedUser,
  type ReconcileWorld,
  setGroups,
  stores,
  stripeCustomer,
  subscribe,
} from '../../integration/use-cases/reconcile/support';
import { useEmulatorBackend } from '../../support/backend';
import {
  differences,
  distinctCalls,
  FAULT_KINDS,
  type FaultKind,
  type FaultNetwork,
  startFaultableStack,
} from '../../support/faults';
import { eventsOfCustomer, type TestUser, userState } from '../support';

/**
 * The reconcile flow in the fault table (same FaultNetwork machinery as flows.test.ts). Each scenario seeds a
 * fresh set of drifted users, runs the scheduled reconcile Lambda's handler (the real wiring, through the fault
 * proxies) with one external call failing for the whole run (throttle, 5xx or timeout, every SDK and backoff retry
 * included), then runs it again the way the next scheduled run would (an hour later by the injected clock, faults
 * off). Assessed per scenario:
 * - the faulted run reports the failure: the invocation throws (the scheduler and the Lambda error alarm see it)
 *   or the summary counts failed repairs (the ReconcileRepairsFailed alarm); a run that reports nothing must have
 *   left exactly the fault-free run's state (a success that hid a loss is a mismatch);
 * - the next run reports no failure, and the final state equals the fault-free run's: profiles, customer links,
 *   Entitlements records, Cognito groups, one Stripe customer per sub, audit entries (none duplicated), no parked
 *   event, no lease or checkpoint left behind.
 */

interface Drifted {
  /** Confirmed in Cognito, no profile. */
  noProfile: TestUser;
  /** Profile and free record, no Stripe customer. */
  noCustomer: TestUser;
  /** Linked customer with a pro subscription the record does not know about. */
  staleEntitlement: TestUser;
  /** Free record, Cognito groups edited by hand (enterprise, no free). */
  editedGroups: TestUser;
  /** Trial record whose trial ended yesterday, still entitled and in the trial group. */
  endedTrial: TestUser;
  /** Profile not linked to its customer, whose subscription event was parked as unresolved. */
  parked: TestUser & { customer: string; eventId: string };
}

type RunOutcome =
  | { kind: 'ok'; failed: 0 }
  | { kind: 'failed-repairs'; failed: number; detail: string }
  | { kind: 'threw'; detail: string };

interface ScenarioResult {
  call: string;
  kind: FaultKind;
  injected: boolean;
  outcome: RunOutcome['kind'];
  /** The faulted run reported nothing, yet its state differs from the fault-free run's first run. */
  hidLoss: boolean;
  converged: boolean;
  problems: string[];
}

const HOUR_MS = 3_600_000;
/** HARDENING_FULL=1: every distinct call of the fault-free run, not one per (service, operation). */
const FULL = process.env.HARDENING_FULL === '1';
const backendOf = useEmulatorBackend({ triggers: false });
let emulator: StripeEmulator;
let network: FaultNetwork;
let env: Record<string, string>;
let world: ReconcileWorld;
const results: ScenarioResult[] = [];

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  const backend = backendOf();
  ({ emulator, network, env } = await startFaultableStack(backend, { catalog }));
  // Seeding talks to the emulators directly, never through the proxies.
  world = {
    backend,
    stripe: emulator,
    env: { ...backend.env, STRIPE_SECRET_KEY: emulator.secretKey, STRIPE_API_BASE: emulator.apiBase },
    deps: () => Promise.reject(new Error('not used here')),
  };
});

afterAll(async () => {
  await network?.stop();
  await emulator?.stop();
  if (results.length === 0) return;
  const ok = (r: ScenarioResult) => r.converged && !r.hidLoss && r.problems.length === 0;
  console.log(
    `[hardening:faults] reconcile: calls=${new Set(results.map((r) => r.call)).size} scenarios=${results.length} faults injected=${results.filter((r) => r.injected).length} converged=${results.filter(ok).length} surfaced=${results.filter((r) => r.outcome !== 'ok').length} (threw=${results.filter((r) => r.outcome === 'threw').length}, failed repairs=${results.filter((r) => r.outcome === 'failed-repairs').length}) absorbed=${results.filter((r) => r.injected && r.outcome === 'ok').length} [${[...new Set(results.map((r) => r.call))].join(', ')}]`,
  );
});

async function seedDrift(): Promise<Drifted> {
  const w = world;
  const { entitlements } = stores(w);
  // Independent users: seeded concurrently (the emulators are the bottleneck of this file, not the fault runs).
  const [noProfile, noCustomer, staleEntitlement, editedGroups, endedTrial, parked] = await Promise.all([
    confirmedUser(w, 'fault-rec-no-profile'),
    provisionedUser(w, 'fault-rec-no-customer'),
    (async () => {
      const user = await linkedUser(w, 'fault-rec-stale');
      await subscribe(w, user.customer, 'pro_monthly');
      return user;
    })(),
    (async () => {
      const user = await linkedUser(w, 'fault-rec-groups');
      await setGroups(w, user.username, ['enterprise'], ['free']);
      return user;
    })(),
    (async () => {
      const user = await linkedUser(w, 'fault-rec-trial');
      const record = await entitlements.get(user.sub);
      if (!record) throw new Error('no record for the trial user');
      await entitlements.writeIfVersion(
        {
          ...record,
          status: 'trialing',
          plan: 'trial',
          entitled: true,
          features: ['scheduled-backups', 'multiple-sources'],
          groups: ['trial'],
          cognitoGroups: ['trial'],
          trialEndsAt: new Date(Date.now() - 86_400_000).toISOString(),
          trialUsed: true,
          entitlementsVersion: record.entitlementsVersion + 1,
        },
        record.entitlementsVersion,
      );
      await setGroups(w, user.username, ['trial'], ['free']);
      return user;
    })(),
    (async () => {
      // The webhook for this customer's subscription came before the customer was linked: parked as unresolved.
      const user = await provisionedUser(w, 'fault-rec-parked');
      const customer = await stripeCustomer(w, user.sub, user.email);
      await subscribe(w, customer, 'starter_monthly');
      const emitted = eventsOfCustomer(emulator, customer).find((e) => e.type === 'customer.subscription.created');
      if (!emitted) throw new Error('the emulator emitted no subscription event');
      const event = { ...emitted, created: emitted.created - 60 };
      await new DynamoParkedEventStore(w.backend.ddb, w.backend.tables.parkedEvents).park({
        eventId: event.id,
        type: event.type,
        stripeCustomerId: customer,
        reason: 'unresolved',
        detail: 'no user for the customer',
        payload: JSON.stringify(event),
        createdAt: new Date(event.created * 1000).toISOString(),
      });
      return { ...user, customer, eventId: event.id };
    })(),
  ]);
  return { noProfile, noCustomer, staleEntitlement, editedGroups, endedTrial, parked };
}

const usersOf = (drifted: Drifted): TestUser[] => Object.values(drifted);

/**
 * The audit trail as compared: every plan/status transition, without its cause, and how many entries repeat one.
 * The cause may legitimately differ (a parked event applied before the profile link failed records the transition
 * as `customer.subscription.created`, the fault-free run as `reconcile`). Entries that change groups only are not
 * compared: a recompute that finds the recorded applied groups behind (a group write failed earlier) records the
 * group add the fault-free run made silently while provisioning.
 */
function auditView(entries: readonly string[]) {
  const parsed = entries.map(
    (entry) => JSON.parse(entry) as { oldPlan: string; newPlan: string; oldStatus: string; newStatus: string },
  );
  const transitions = parsed
    .filter((e) => e.oldPlan !== e.newPlan || e.oldStatus !== e.newStatus)
    .map((e) => `${e.oldPlan}/${e.oldStatus} -> ${e.newPlan}/${e.newStatus}`)
    .sort();
  return { transitions, repeatedTransitions: transitions.length - new Set(transitions).size };
}

type UsersState = Record<string, { audit: ReturnType<typeof auditView> }>;

/** The whole comparable state of the seeded users, plus what a run must not leave behind. */
async function stateOf(drifted: Drifted) {
  const { ddb, tables } = backendOf();
  const users = Object.fromEntries(
    await Promise.all(
      Object.entries(drifted).map(async ([name, user]) => {
        const { auditEntries, ...rest } = await userState(backendOf(), emulator, user);
        return [name, { ...rest, audit: auditView(auditEntries) }];
      }),
    ),
  );
  const parked = await ddb.send(
    new GetCommand({ TableName: tables.parkedEvents, Key: { eventId: drifted.parked.eventId } }),
  );
  const stateRow = async (id: string) =>
    (await ddb.send(new GetCommand({ TableName: tables.reconcileState, Key: { id }, ConsistentRead: true }))).Item !==
    undefined;
  return {
    users: users as UsersState,
    parkedEventLeft: parked.Item !== undefined,
    leaseLeft: await stateRow('lease#all'),
    checkpointLeft: await stateRow('checkpoint#all'),
  };
}

/**
 * One invocation of the scheduled reconcile Lambda as AWS makes it (a cold container: fresh clients), with the
 * clock at `offsetMs` from now. Our own backoff keeps its retry count but does not wait (no sleeps in tests).
 */
async function scheduledRun(offsetMs: number): Promise<RunOutcome> {
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const runtime = createRuntime(CONTRACTS.reconcileScheduled, env);
  const handler = createReconcileScheduledHandler({
    reconcile: () => reconcileDepsFromRuntime(runtime, { clock, backoff: { attempts: 2, sleep: async () => {} } }),
  });
  try {
    const summary = (await handler({ source: 'aws.events' }, { getRemainingTimeInMillis: () => 900_000 })) as {
      status: string;
      repairs: { failed: number; failures: unknown[] };
    };
    if (summary.status !== 'complete') return { kind: 'threw', detail: `status ${summary.status}` };
    return summary.repairs.failed > 0
      ? { kind: 'failed-repairs', failed: summary.repairs.failed, detail: JSON.stringify(summary.repairs.failures) }
      : { kind: 'ok', failed: 0 };
  } catch (error) {
    return { kind: 'threw', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Removes a scenario's users so the next scenario's full runs read only their own drift. */
async function cleanUp(drifted: Drifted): Promise<void> {
  const { ddb, tables, cognitoClient, userPool } = backendOf();
  const remove = (TableName: string, Key: Record<string, unknown>) => ddb.send(new DeleteCommand({ TableName, Key }));
  await Promise.all([
    ...usersOf(drifted).map(async (user) => {
      await cognitoClient.send(
        new AdminDeleteUserCommand({ UserPoolId: userPool.userPoolId, Username: user.username }),
      );
      await remove(tables.userProfiles, { userId: user.sub });
      await remove(tables.entitlements, { cognito_sub: user.sub });
      const audit = await ddb.send(
        new QueryCommand({
          TableName: tables.auditLog,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': user.sub },
        }),
      );
      await Promise.all(
        (audit.Items ?? []).map((item) => remove(tables.auditLog, { userId: user.sub, entryId: item.entryId })),
      );
    }),
    remove(tables.parkedEvents, { eventId: drifted.parked.eventId }),
    remove(tables.reconcileState, { id: 'lease#all' }),
    remove(tables.reconcileState, { id: 'checkpoint#all' }),
  ]);
}

interface ScenarioRun {
  first: RunOutcome;
  second: RunOutcome;
  afterFirst: Awaited<ReturnType<typeof stateOf>>;
  afterSecond: Awaited<ReturnType<typeof stateOf>>;
  calls: string[];
  injected: boolean;
}

async function runScenario(fault?: { call: string; kind: FaultKind }): Promise<ScenarioRun> {
  const drifted = await seedDrift();
  network.reset();
  const injectedBefore = network.injected();
  if (fault) network.arm(fault.call, fault.kind);
  const first = await scheduledRun(0);
  network.disarm();
  const calls = network.calls();
  const injected = network.injected() > injectedBefore;
  const afterFirst = await stateOf(drifted);
  // The next scheduled run, an hour later: a lease a failed run could not release (20 min) has expired by then.
  const second = await scheduledRun(HOUR_MS);
  const afterSecond = await stateOf(drifted);
  await cleanUp(drifted);
  return { first, second, afterFirst, afterSecond, calls, injected };
}

/**
 * One call per distinct (service, operation), to keep the file near a minute on 2 cores: the same operation on
 * another table goes through the same SDK command, error translation and retry policy. Within an operation a
 * repair's call (first by name) is preferred over the run's own bookkeeping (ReconcileState: lease, checkpoint), whose faults
 * end the run before or after every repair, like a failed bulk read; HARDENING_FULL=1 runs those too.
 */
function representativeCalls(calls: readonly string[]): string[] {
  const byOperation = new Map<string, string[]>();
  for (const call of distinctCalls(calls)) {
    const [service = '', rest = ''] = call.split(/:(.*)/s);
    const operation = `${service}:${rest
      .split(' ')
      .slice(0, service === 'stripe' ? 2 : 1)
      .join(' ')}`;
    byOperation.set(operation, [...(byOperation.get(operation) ?? []), call]);
  }
  // Users are checked concurrently, so first-seen order varies between runs: pick by name, not by order.
  return [...byOperation.values()].map((group) => {
    const sorted = [...group].sort();
    return sorted.find((call) => !call.endsWith(' ReconcileState')) ?? (sorted[0] as string);
  });
}

describe('fault injection: reconcile (scheduled apply run) with every kind of drift', () => {
  it('a faulted run reports the failure, and the next scheduled run ends where the fault-free run does', {
    timeout: 600_000,
  }, async () => {
    // Prepare: the fault-free run lists the external calls.
    const baseline = await runScenario();
    expect(baseline.first).toEqual({ kind: 'ok', failed: 0 });
    expect(baseline.second).toEqual({ kind: 'ok', failed: 0 });
    expect(differences(baseline.afterFirst, baseline.afterSecond)).toEqual([]);
    const expected = baseline.afterSecond;
    expect(expected).toMatchObject({ parkedEventLeft: false, leaseLeft: false, checkpointLeft: false });
    const all = distinctCalls(baseline.calls);
    const calls = FULL ? all : representativeCalls(baseline.calls);
    console.log(`[hardening:faults] reconcile fault-free apply run: ${all.length} distinct calls [${all.join(', ')}]`);
    console.log(`[hardening:faults] reconcile scenarios use ${calls.length}: [${calls.join(', ')}]`);

    // Act + Assess, per call and fault kind.
    for (const call of calls) {
      for (const kind of FAULT_KINDS) {
        const run = await runScenario({ call, kind });
        const problems: string[] = [];
        const hidLoss = run.first.kind === 'ok' && differences(baseline.afterFirst, run.afterFirst).length > 0;
        if (hidLoss) problems.push(...differences(baseline.afterFirst, run.afterFirst).map((d) => `hid: ${d}`));
        if (run.second.kind !== 'ok') problems.push(`next run: ${run.second.kind} ${JSON.stringify(run.second)}`);
        // Audit entries included: a repair whose AuditLog put failed is recorded by the next run (pendingAudit).
        const mismatch = differences(expected, run.afterSecond);
        problems.push(...mismatch);
        if (!run.injected) problems.push('NOT INJECTED');
        results.push({
          call,
          kind,
          injected: run.injected,
          outcome: run.first.kind,
          hidLoss,
          converged: mismatch.length === 0,
          problems,
        });
      }
    }

    const failures = results
      .filter((r) => r.problems.length > 0)
      .map((r) => [`${r.call} | ${r.kind} | first run ${r.outcome}`, ...r.problems].join(' | '));
    expect(failures).toEqual([]);
    expect(results.length).toBe(calls.length * FAULT_KINDS.length);
    // Every fault was reported by the run that hit it: a throw or a failed-repairs count, never a clean summary.
    expect(results.filter((r) => r.outcome === 'ok')).toEqual([]);
  });
});
