import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { PlanCatalog } from '../lambdas/domain/plan-catalog';
import type { TableKey } from '../lib/table-definitions';
import { type EmulatorBackend, LOCAL_REGION, startEmulatorBackend, TRIGGER_FUNCTIONS } from './backend';
import { freePort } from './emulators/cognito-local';
import { type Gateway, startGateway } from './gateway';
import { localFunctionName, localLambdaContext } from './lambda-context';
import type { LambdaFunction } from './lambda-invoke';
import { registerShippedTriggers, shippedAuthorizerLoader, shippedRouteLoader } from './shipped/invokers';
import { type ShippedFunctions, startShippedFunctions } from './shipped/shipped-functions';
import {
  generateSecretKey,
  generateWebhookSecret,
  LOCAL_KEY_PREFIX,
  type StripeEmulator,
  type StripeEmulatorOptions,
  startStripeEmulator,
} from './stripe/emulator';
import { createWebApp, WEB_APP_PATH } from './web/server';

/** The contract scripts and tests rely on: `$LOCAL_DIR/stack.json`. */
export interface StackInfo {
  apiUrl: string;
  /** The example page (sign up, status, checkout, the gated example routes). */
  webUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  cognitoEndpoint: string;
  dynamodbEndpoint: string;
  stripeApiBase: string;
  stripeSecretKey: string;
  webhookSecret: string;
  tables: Record<TableKey, string>;
}

export interface LocalStackOptions {
  /** Explicit ports; `0` picks a free port. Unset ports come from LOCAL_*_PORT or the defaults. */
  ports?: { api?: number; dynamodb?: number; cognito?: number; stripe?: number; lambdaInvoke?: number };
  /** State folder (dynalite, cognito-local, Stripe emulator, secrets, stack.json). Default LOCAL_DIR or `.local`. */
  stateDir?: string;
  /** Wipe the state folder first. */
  fresh?: boolean;
  quiet?: boolean;
  /** Where LOCAL_* and STRIPE_* settings are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  catalog?: PlanCatalog;
  /** Extra variables for every handler's environment (tests: a stage setting such as PAUSED_COLLECTION_ACCESS). */
  lambdaEnv?: Record<string, string>;
  /** Extra Stripe emulator settings (tests: fast webhook retries). */
  stripe?: Pick<StripeEmulatorOptions, 'webhookBackoffMs' | 'webhookMaxAttempts' | 'wallClock'>;
  log?: (line: string) => void;
  /**
   * Run the functions from a synthesized cloud assembly (local/shipped/synth.ts) instead of the TypeScript sources:
   * each bundle with only its template environment, its AWS calls checked against its role (local/aws).
   */
  shipped?: { assemblyDir: string; onLog?: (functionName: string, line: string) => void };
}

export interface LocalStack {
  info: StackInfo;
  /** The Lambda environment every handler runs with. */
  env: Record<string, string>;
  backend: EmulatorBackend;
  /** Absent when a real Stripe test key is used. */
  stripe: StripeEmulator | undefined;
  gateway: Gateway;
  /** Present when the stack runs the shipped bundles. */
  shipped: ShippedFunctions | undefined;
  stateDir: string;
  stackFile: string;
  stop(): Promise<void>;
}

export const DEFAULT_PORTS = { api: 3000, dynamodb: 8000, cognito: 9229, stripe: 12111 } as const;

/** Browser origins the local API accepts (CORS, checkout and portal redirects): Vite and the API itself. */
export function localOrigins(apiPort: number): string[] {
  return [
    ...new Set([
      'http://localhost:5173',
      'http://127.0.0.1:5173',
      `http://localhost:${apiPort}`,
      `http://127.0.0.1:${apiPort}`,
    ]),
  ];
}

/**
 * Starts the whole backend in this process: dynalite + cognito-local (with our triggers) + the Stripe emulator
 * (or real Stripe with a test key) + the gateway serving the deployed routes, then writes stack.json.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const source = options.env ?? process.env;
  const log = options.quiet ? () => undefined : (options.log ?? ((line: string) => console.log(line)));
  const stateDir = resolve(options.stateDir ?? source.LOCAL_DIR ?? '.local');
  const ports = {
    api: portFrom(options.ports?.api, source.LOCAL_API_PORT, DEFAULT_PORTS.api, 'LOCAL_API_PORT'),
    dynamodb: portFrom(
      options.ports?.dynamodb,
      source.LOCAL_DYNAMODB_PORT,
      DEFAULT_PORTS.dynamodb,
      'LOCAL_DYNAMODB_PORT',
    ),
    cognito: portFrom(options.ports?.cognito, source.LOCAL_COGNITO_PORT, DEFAULT_PORTS.cognito, 'LOCAL_COGNITO_PORT'),
    stripe: portFrom(options.ports?.stripe, source.LOCAL_STRIPE_PORT, DEFAULT_PORTS.stripe, 'LOCAL_STRIPE_PORT'),
  };
  if (options.fresh) await wipeStateDir(stateDir);
  await mkdir(stateDir, { recursive: true });
  const stripeMode = stripeModeFrom(source);
  const secrets = await localSecrets(stateDir);
  const catalog = options.catalog ?? PlanCatalog.defaults();

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const backend = await startEmulatorBackend({
      stateDir,
      catalog,
      // 0 means "any free port": the backend helper picks one when the port is absent.
      ports: {
        dynamodb: ports.dynamodb || undefined,
        cognito: ports.cognito || undefined,
        lambdaInvoke: options.ports?.lambdaInvoke || undefined,
      },
    });
    stops.push(() => backend.stop());

    let stripe: StripeEmulator | undefined;
    if (stripeMode.kind === 'emulator') {
      stripe = await startStripeEmulator({
        port: ports.stripe,
        secretKey: secrets.stripeSecretKey,
        webhookSecret: secrets.webhookSecret,
        catalog,
        stateFile: join(stateDir, 'stripe.json'),
        ...options.stripe,
        onDelivery: (d) => {
          if (d.status !== 'delivered')
            log(
              `stripe: webhook ${d.type} ${d.eventId} ${d.status} after ${d.attempts} attempt(s) (${d.lastError ?? ''})`,
            );
        },
      });
      const running = stripe;
      stops.push(() => running.stop());
    }
    const real = stripeMode.kind === 'real' ? stripeMode : undefined;
    const stripeSecretKey = stripe?.secretKey ?? real?.secretKey ?? '';
    const webhookSecret = stripe?.webhookSecret ?? real?.webhookSecret ?? '';
    const stripeApiBase = stripe?.apiBase ?? 'https://api.stripe.com';

    // The API port must be known before the handlers' env (redirect origins), so a free port is picked up front.
    const apiPort = ports.api || (await freePort());
    const allowedOrigins = localOrigins(apiPort);
    const env: Record<string, string> = {
      ...backend.env,
      STRIPE_SECRET_KEY: stripeSecretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      ...(stripe ? { STRIPE_API_BASE: stripe.apiBase, EMULATOR_CLOCK_URL: emulatorClockUrl(stripe) } : {}),
      ALLOWED_ORIGINS: allowedOrigins.join(','),
      POWERTOOLS_SERVICE_NAME: 'entitlements-local',
      ...options.lambdaEnv,
    };
    const shipped = options.shipped
      ? await startShippedFunctions({
          assemblyDir: options.shipped.assemblyDir,
          region: LOCAL_REGION,
          userPoolId: backend.userPool.userPoolId,
          userPoolClientId: backend.userPool.userPoolClientId,
          backends: { dynamodb: backend.dynamodb.endpoint, cognito: backend.cognito.endpoint },
          stripe: { apiBase: stripe?.apiBase, secretKey: stripeSecretKey, webhookSecret },
          ...(stripe ? { clockUrl: emulatorClockUrl(stripe) } : {}),
          ...(options.shipped.onLog ? { onLog: options.shipped.onLog } : {}),
        })
      : undefined;
    if (shipped) {
      const running = shipped;
      stops.push(() => running.stop());
      registerShippedTriggers(backend.functions, shipped);
    } else registerTriggers(backend.functions, env);

    const gateway = await startGateway({
      port: apiPort,
      env,
      region: LOCAL_REGION,
      allowedOrigins,
      jwt: {
        cognitoEndpoint: backend.cognito.endpoint,
        userPoolId: backend.userPool.userPoolId,
        clientId: backend.userPool.userPoolClientId,
      },
      log,
      serveStatic: createWebApp({
        region: LOCAL_REGION,
        cognitoEndpoint: backend.cognito.endpoint,
        userPoolClientId: backend.userPool.userPoolClientId,
        inbox: backend.inbox,
      }),
      ...(shipped
        ? { loadHandler: shippedRouteLoader(shipped), loadAuthorizer: shippedAuthorizerLoader(shipped) }
        : {}),
    });
    stops.push(() => gateway.close());
    stripe?.setWebhookUrl(`${gateway.url}/webhooks/stripe`);
    // What saving the portal settings in the Dashboard does: real Stripe refuses portal sessions without it.
    stripe?.saveDefaultPortalConfiguration();

    const info: StackInfo = {
      apiUrl: gateway.url,
      webUrl: `${gateway.url}${WEB_APP_PATH}`,
      region: LOCAL_REGION,
      userPoolId: backend.userPool.userPoolId,
      userPoolClientId: backend.userPool.userPoolClientId,
      cognitoEndpoint: backend.cognito.endpoint,
      dynamodbEndpoint: backend.dynamodb.endpoint,
      stripeApiBase,
      stripeSecretKey,
      webhookSecret,
      tables: backend.tables,
    };
    const stackFile = join(stateDir, 'stack.json');
    await writeFile(stackFile, `${JSON.stringify(info, null, 2)}\n`);
    stops.unshift(() => rm(stackFile, { force: true }));
    return { info, env, backend, stripe, gateway, shipped, stateDir, stackFile, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

type StripeMode = { kind: 'emulator' } | { kind: 'real'; secretKey: string; webhookSecret: string };

/** A real test-mode key (not one of ours) switches to real Stripe; a live key is refused. */
export function stripeModeFrom(env: NodeJS.ProcessEnv): StripeMode {
  const key = env.STRIPE_SECRET_KEY?.trim();
  if (!key || key.startsWith(LOCAL_KEY_PREFIX)) return { kind: 'emulator' };
  if (!key.startsWith('sk_test_') && !key.startsWith('rk_test_')) {
    throw new Error(
      'STRIPE_SECRET_KEY must be a test-mode key (sk_test_...) for the local stack; unset it to use the emulator',
    );
  }
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET?.trim();
  if (!webhookSecret?.startsWith('whsec_')) {
    throw new Error(
      'With a real STRIPE_SECRET_KEY, set STRIPE_WEBHOOK_SECRET to the secret printed by `stripe listen --forward-to localhost:3000/webhooks/stripe`',
    );
  }
  return { kind: 'real', secretKey: key, webhookSecret };
}

function portFrom(explicit: number | undefined, fromEnv: string | undefined, fallback: number, name: string): number {
  if (explicit !== undefined) return explicit;
  if (fromEnv === undefined || fromEnv.trim() === '') return fallback;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}=${fromEnv} is not a valid port`);
  return port;
}

/** Generated once per state folder, so a restarted stack keeps its key and webhook secret. */
async function localSecrets(stateDir: string): Promise<{ stripeSecretKey: string; webhookSecret: string }> {
  const file = join(stateDir, 'secrets.json');
  if (existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { stripeSecretKey?: string; webhookSecret?: string };
    if (saved.stripeSecretKey && saved.webhookSecret) {
      return { stripeSecretKey: saved.stripeSecretKey, webhookSecret: saved.webhookSecret };
    }
  }
  const secrets = { stripeSecretKey: generateSecretKey(), webhookSecret: generateWebhookSecret() };
  await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

const STATE_ENTRIES = new Set(['dynamodb', 'cognito', 'stripe.json', 'stripe.json.tmp', 'secrets.json', 'stack.json']);

/** `--fresh`: removes the state folder, but only if it holds nothing but our state (LOCAL_DIR could be mistyped). */
async function wipeStateDir(stateDir: string): Promise<void> {
  if (!existsSync(stateDir)) return;
  const foreign = (await readdir(stateDir)).filter((entry) => !STATE_ENTRIES.has(entry));
  if (foreign.length) {
    throw new Error(
      `Refusing to wipe ${stateDir}: it holds files the local stack did not create (${foreign.join(', ')})`,
    );
  }
  await rm(stateDir, { recursive: true, force: true });
}

/** cognito-local's triggers call our trigger handlers (same modules as in AWS), built from the stack's env. */
function registerTriggers(functions: Map<string, LambdaFunction>, env: Record<string, string>): void {
  const modules: Record<string, string> = {
    [TRIGGER_FUNCTIONS.PreSignUp]: '../lambdas/handlers/pre-signup',
    [TRIGGER_FUNCTIONS.PostConfirmation]: '../lambdas/handlers/post-confirmation',
  };
  for (const [name, path] of Object.entries(modules)) {
    let built: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
    functions.set(name, async (event) => {
      if (!built) {
        const module = (await import(path)) as {
          handlerFromEnv: (env: NodeJS.ProcessEnv) => (event: unknown, context: Context) => Promise<unknown>;
        };
        built = module.handlerFromEnv(env);
      }
      return built(event, localLambdaContext(localFunctionName(path), { region: LOCAL_REGION }));
    });
  }
}

/** The handlers follow the emulator's clock (lambdas/platform/clock.ts): advancing Stripe time ends trials for them too. */
function emulatorClockUrl(stripe: StripeEmulator): string {
  return `${stripe.apiBase}/_emulator/clock`;
}
