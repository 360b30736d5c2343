import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type Stripe from 'stripe';
import { StripeSubscriptionSource } from '../lambdas/adapters/stripe/stripe-subscriptions';
import { PlanCatalog } from '../lambdas/domain/plan-catalog';
import { createStripeWebhookHandler, handlerFromEnv } from '../lambdas/handlers/stripe-webhook';
import { CONTRACTS } from '../lambdas/platform/contracts';
import type { HttpResult } from '../lambdas/platform/http';
import { createRuntime, type RuntimeHooks } from '../lambdas/platform/runtime';
import { deliveryDeps } from '../lambdas/wiring/webhook';
import { type EmulatorBackend, LOCAL_REGION, startEmulatorBackend } from '../local/backend';
import { type StripeEmulator, startStripeEmulator } from '../local/stripe/emulator';
import { createTables, localTableNames, type TableNames, tableEnv } from '../local/tables';
import { applyRereadingEveryEvent } from './baseline';
import { CallCounter, isDynamoRead } from './call-counter';
import { createFloorTable, deliverFloor, type FloorRun } from './floor';
import { acrossRuns, type Summary, summarize } from './stats';
import {
  createUsers,
  type Delivery,
  driveLifecycle,
  inPool,
  provisionExisting,
  renewalsOnly,
  type Scenario,
  schedule,
  signedDelivery,
  type WorkloadUser,
} from './workload';

export type WebhookMode = 'ours' | 'baseline';

/** Counted calls of one run, per delivery. */
export interface PerEvent {
  dynamodb: number;
  dynamodbReads: number;
  dynamodbWrites: number;
  stripe: number;
  cognito: number;
}

export interface WebhookRun {
  mode: WebhookMode;
  workload: 'mix' | 'renewals';
  deliveries: number;
  wallMs: number;
  eventsPerSecond: number;
  /** Warm latency (every delivery after the first, which builds the clients). */
  latencyMs: Summary;
  firstDeliveryMs: number;
  perEvent: PerEvent;
  outcomes: Record<string, number>;
  calls: { dynamodb: Record<string, number>; stripe: Record<string, number>; cognito: Record<string, number> };
}

export interface WebhookFigures {
  customers: number;
  events: { mix: number; mixDeliveries: number; duplicates: number; swapped: number; renewals: number };
  scenarios: Record<Scenario, number>;
  runs: WebhookRun[];
  /** The floor on the same deliveries after each repetition of ours (bench/floor.ts). */
  floorRuns: FloorRun[];
  /** Median over repetitions, per mode and workload. */
  summary: Record<string, WebhookSummary>;
  ratios: { stripeCalls: number; p50: number; p99: number; eventsPerSecond: number };
  /** Ours over the floor (bench/floor.ts), per workload: targets on renewals events/s >= 0.7, p50 <= 1.5. */
  floorRatios: Record<'mix' | 'renewals', { eventsPerSecond: number; p50: number; p99: number }>;
  /** Users whose final entitlement (plan/status) is the same after both modes. */
  agreement: { users: number; same: number };
  /** The shipped adapter's re-read works against the emulator (it failed before d5de752: 5-level expand). */
  shippedRereadWorks: boolean;
  setupMs: number;
}

export interface WebhookSummary {
  eventsPerSecond: { median: number; min: number; max: number };
  p50: { median: number; min: number; max: number };
  p99: { median: number; min: number; max: number };
  perEvent: PerEvent;
}

export interface WebhookOptions {
  customers: number;
  repetitions: number;
  seed?: number;
  /** Simulated days after the last sign-up (sets the event count: about 9 events per customer at 120). */
  days?: number;
  renewalDays?: number;
  log?: (line: string) => void;
}

const MEMO_PREFIX = 'bench';

/**
 * The webhook section: one Stripe lifecycle (emulator) over `customers` real users, delivered with duplicates and
 * swaps to our handler and to the re-read-everything baseline, each repetition on fresh tables, with every
 * DynamoDB, Cognito and Stripe request counted by SDK hooks on the handler's own clients.
 */
export async function runWebhookBench(options: WebhookOptions): Promise<WebhookFigures> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 8;
  const setupStarted = performance.now();
  const backend = await startEmulatorBackend({ triggers: false });
  // A frozen wall clock: emulator time moves only with advance(), so the lifecycle is the same on every run;
  // it starts in the past so that events are never from the future for the handler's system clock.
  const start = Date.now() - 400 * 86400_000;
  const stripeEmulator = await startStripeEmulator({ wallClock: () => start });
  const rawDdb = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: backend.dynamodb.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const catalog = PlanCatalog.defaults();
    const stores = {
      ddb: backend.ddb,
      cognito: backend.cognitoClient,
      userPoolId: backend.userPool.userPoolId,
      tables: backend.tables,
      catalog,
    };
    const users = await createUsers(stores, stripeEmulator.client(), options.customers, { tag: `wh${seed}` });
    log(`webhook: ${users.length} users in ${Math.round(performance.now() - setupStarted)} ms`);
    const lifecycle = await driveLifecycle(stripeEmulator, users, { seed, days: options.days ?? 120 });
    const mix = schedule(lifecycle.events, lifecycle.customerOf, { seed: seed + 1 });
    const renewals: Delivery[] = renewalsOnly(stripeEmulator, options.renewalDays ?? 62).map((event) => ({
      event,
      duplicate: false,
      swapped: false,
    }));
    const setupMs = performance.now() - setupStarted;
    log(`webhook: ${lifecycle.events.length} events, ${mix.length} deliveries, ${renewals.length} renewals`);

    const runs: WebhookRun[] = [];
    const floorRuns: FloorRun[] = [];
    const finalTables: Partial<Record<WebhookMode, TableNames>> = {};
    for (let rep = 0; rep < options.repetitions; rep += 1) {
      // Alternate the order so neither mode always runs on a warmer process.
      const modes: WebhookMode[] = rep % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
      for (const mode of modes) {
        const tables = localTableNames(`${MEMO_PREFIX}-${rep}-${mode}-`);
        await createTables(rawDdb, tables);
        await provisionExisting({ ...stores, tables }, users);
        const counter = new CallCounter();
        const handler = webhookHandler(handlerEnv(backend, stripeEmulator, tables), mode, counter);
        const mixRun = await deliver(handler, mix, stripeEmulator.webhookSecret, counter, { mode, workload: 'mix' });
        runs.push(mixRun);
        counter.reset();
        const renewalRun = await deliver(handler, renewals, stripeEmulator.webhookSecret, counter, {
          mode,
          workload: 'renewals',
        });
        runs.push(renewalRun);
        finalTables[mode] = tables;
        if (mode === 'ours') {
          // The floor on the same deliveries and the same dynalite, right after ours (bench/floor.ts).
          const floorTable = `${MEMO_PREFIX}-${rep}-floor`;
          await createFloorTable(rawDdb, floorTable);
          floorRuns.push(await deliverFloor(backend.ddb, floorTable, mix, 'mix'));
          floorRuns.push(await deliverFloor(backend.ddb, floorTable, renewals, 'renewals'));
        }
        log(
          `webhook rep ${rep + 1} ${mode}: mix ${Math.round(mixRun.eventsPerSecond)} ev/s p99 ${mixRun.latencyMs.p99.toFixed(1)} ms, ` +
            `renewals ${Math.round(renewalRun.eventsPerSecond)} ev/s p99 ${renewalRun.latencyMs.p99.toFixed(1)} ms`,
        );
      }
    }

    const summary: Record<string, WebhookSummary> = {};
    for (const mode of ['ours', 'baseline', 'floor'] as const) {
      for (const workload of ['mix', 'renewals'] as const) {
        const of = [...runs, ...floorRuns].filter((run) => run.mode === mode && run.workload === workload);
        summary[`${mode}/${workload}`] = {
          eventsPerSecond: acrossRuns(of.map((run) => run.eventsPerSecond)),
          p50: acrossRuns(of.map((run) => run.latencyMs.p50)),
          p99: acrossRuns(of.map((run) => run.latencyMs.p99)),
          perEvent: of[0]?.perEvent ?? { dynamodb: 0, dynamodbReads: 0, dynamodbWrites: 0, stripe: 0, cognito: 0 },
        };
      }
    }
    const ours = summary['ours/mix'] as WebhookSummary;
    const baseline = summary['baseline/mix'] as WebhookSummary;
    return {
      customers: users.length,
      events: {
        mix: lifecycle.events.length,
        mixDeliveries: mix.length,
        duplicates: mix.filter((d) => d.duplicate).length,
        swapped: mix.filter((d) => d.swapped).length,
        renewals: renewals.length,
      },
      scenarios: lifecycle.scenarios,
      runs,
      floorRuns,
      summary,
      floorRatios: floorRatios(summary),
      ratios: {
        stripeCalls: ratio(ours.perEvent.stripe, baseline.perEvent.stripe),
        p50: ratio(ours.p50.median, baseline.p50.median),
        p99: ratio(ours.p99.median, baseline.p99.median),
        eventsPerSecond: ratio(ours.eventsPerSecond.median, baseline.eventsPerSecond.median),
      },
      agreement: await compareFinalStates(backend, users, finalTables),
      shippedRereadWorks: await probeShippedReread(stripeEmulator.client(), (users[0] as WorkloadUser).customerId),
      setupMs,
    };
  } finally {
    rawDdb.destroy();
    await stripeEmulator.stop();
    await backend.stop();
  }
}

const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);

function floorRatios(summary: Record<string, WebhookSummary>): WebhookFigures['floorRatios'] {
  const of = (workload: 'mix' | 'renewals') => {
    const ours = summary[`ours/${workload}`] as WebhookSummary;
    const floor = summary[`floor/${workload}`] as WebhookSummary;
    return {
      eventsPerSecond: ratio(ours.eventsPerSecond.median, floor.eventsPerSecond.median),
      p50: ratio(ours.p50.median, floor.p50.median),
      p99: ratio(ours.p99.median, floor.p99.median),
    };
  };
  return { mix: of('mix'), renewals: of('renewals') };
}

export function handlerEnv(backend: EmulatorBackend, stripe: StripeEmulator, tables: TableNames): NodeJS.ProcessEnv {
  return {
    ...backend.env,
    ...tableEnv(tables),
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.apiBase,
  };
}

function counting(counter: CallCounter): RuntimeHooks {
  return {
    onClient(created) {
      if (created.kind === 'dynamodb') counter.watchDynamo(created.client);
      else if (created.kind === 'cognito') counter.watchCognito(created.client);
      else counter.watchStripe(created.client);
    },
  };
}

/** True when the shipped StripeSubscriptionSource can re-read a customer's subscriptions from (emulated) Stripe. */
export async function probeShippedReread(stripe: Stripe, customerId: string): Promise<boolean> {
  try {
    await new StripeSubscriptionSource(stripe).listForCustomer(customerId);
    return true;
  } catch {
    return false;
  }
}

/**
 * Our mode is the shipped entry (`handlerFromEnv`, unless `shippedEntry: false`). The baseline is the same wiring
 * (lambdas/wiring/webhook.ts) applying events with bench/baseline.ts: the "always fetch the customer's subscriptions
 * from Stripe" approach.
 */
export function webhookHandler(
  env: NodeJS.ProcessEnv,
  mode: WebhookMode,
  counter: CallCounter,
  options: { shippedEntry?: boolean } = {},
): (event: APIGatewayProxyEventV2) => Promise<HttpResult> {
  if (mode === 'ours' && options.shippedEntry !== false) return handlerFromEnv(env, counting(counter));
  let built: ((event: APIGatewayProxyEventV2) => Promise<HttpResult>) | undefined;
  return (event) => {
    if (!built) {
      const runtime = createRuntime(CONTRACTS.stripeWebhook, env, counting(counter));
      const deps = deliveryDeps(runtime);
      built = createStripeWebhookHandler(
        mode === 'baseline' ? { ...deps, applyEvent: applyRereadingEveryEvent } : deps,
      );
    }
    return built(event);
  };
}

/** Delivers one after the other (one warm Lambda container), timing the handler only (signing is outside). */
export async function deliver(
  handler: (event: APIGatewayProxyEventV2) => Promise<HttpResult>,
  deliveries: readonly Delivery[],
  secret: string,
  counter: CallCounter,
  label: { mode: WebhookMode; workload: 'mix' | 'renewals' },
): Promise<WebhookRun> {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let first = Number.NaN;
  let wall = 0;
  for (const [i, delivery] of deliveries.entries()) {
    const request = signedDelivery(delivery.event, secret, Math.floor(Date.now() / 1000));
    const started = performance.now();
    const response = await handler(request);
    const took = performance.now() - started;
    wall += took;
    if (i === 0) first = took;
    else latencies.push(took);
    const key = outcomeOf(response);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  const n = Math.max(1, deliveries.length);
  const dynamodb = CallCounter.total(counter.dynamodb);
  const dynamodbReads = CallCounter.total(counter.dynamodb, isDynamoRead);
  return {
    ...label,
    deliveries: deliveries.length,
    wallMs: wall,
    eventsPerSecond: deliveries.length / (wall / 1000),
    latencyMs: summarize(latencies.length ? latencies : [first]),
    firstDeliveryMs: first,
    perEvent: {
      dynamodb: dynamodb / n,
      dynamodbReads: dynamodbReads / n,
      dynamodbWrites: (dynamodb - dynamodbReads) / n,
      stripe: CallCounter.total(counter.stripe) / n,
      cognito: CallCounter.total(counter.cognito) / n,
    },
    outcomes,
    calls: {
      dynamodb: Object.fromEntries(counter.dynamodb),
      stripe: Object.fromEntries(counter.stripe),
      cognito: Object.fromEntries(counter.cognito),
    },
  };
}

function outcomeOf(response: HttpResult): string {
  if (response.statusCode !== 200) return `http-${response.statusCode}`;
  try {
    const body = JSON.parse(response.body ?? '{}') as { outcome?: string; duplicate?: boolean; ignored?: boolean };
    return body.duplicate ? 'duplicate' : body.ignored ? 'ignored' : (body.outcome ?? 'ok');
  } catch {
    return 'ok';
  }
}

/** Both modes must end in the same entitlements: a cheap correctness check on the benchmark itself. */
async function compareFinalStates(
  backend: EmulatorBackend,
  users: readonly WorkloadUser[],
  tables: Partial<Record<WebhookMode, TableNames>>,
): Promise<{ users: number; same: number }> {
  const read = async (names: TableNames | undefined) => {
    const out = new Map<string, string>();
    if (!names) return out;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await backend.ddb.send(
        new ScanCommand({ TableName: names.entitlements, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const item of page.Items ?? []) out.set(String(item.cognito_sub), `${item.plan}/${item.status}`);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };
  const [ours, baseline] = await Promise.all([read(tables.ours), read(tables.baseline)]);
  let same = 0;
  await inPool(users.length, 1, async (i) => {
    const sub = (users[i] as WorkloadUser).sub;
    if (ours.get(sub) !== undefined && ours.get(sub) === baseline.get(sub)) same += 1;
  });
  return { users: users.length, same };
}
