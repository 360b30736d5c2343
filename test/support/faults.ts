import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlanCatalog } from '../../lambdas/domain/plan-catalog';
import type { EmulatorBackend } from '../../local/backend';
import { type StripeEmulator, startStripeEmulator } from '../../local/stripe/emulator';

/**
 * Fault injection on the wire: an HTTP proxy in front of an emulator (dynalite, cognito-local, the Stripe emulator)
 * that forwards every call and can answer chosen calls with a throttle, a 5xx or a dropped connection instead.
 * Pointing a handler's env (DYNAMODB_ENDPOINT, COGNITO_ENDPOINT, STRIPE_API_BASE) at the proxy injects faults into
 * the very handler modules that run in AWS, through the real SDKs and their retry logic, with no test seam in the
 * product code.
 *
 * Every call is recorded as an operation label: `UpdateItem Entitlements`, `Query UserProfiles/EmailIndex`,
 * `AdminAddUserToGroup`, `POST /v1/customers`, `GET /v1/subscriptions`. A fault-free run's labels are the list of
 * external calls of a flow, from which fault scenarios are generated.
 */

export type FaultService = 'dynamodb' | 'cognito' | 'stripe';
/** throttle: 400 ThrottlingException / TooManyRequests / 429; 5xx: 500; timeout: the connection dies unanswered. */
export type FaultKind = 'throttle' | '5xx' | 'timeout';
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', '5xx', 'timeout'];

export interface FaultRule {
  operation: string;
  kind: FaultKind;
  /** Matching calls to let through before failing (0: the first call fails). */
  skip?: number;
  /** How many matching calls fail once triggered (default: every one until disarm(), i.e. the SDK's retries too). */
  times?: number;
}

interface Armed extends Required<Pick<FaultRule, 'operation' | 'kind'>> {
  skip: number;
  remaining: number;
}

const DDB_ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

function faultResponse(service: FaultService, kind: Exclude<FaultKind, 'timeout'>) {
  if (service === 'stripe') {
    return kind === 'throttle'
      ? { status: 429, body: { error: { type: 'rate_limit_error', message: 'Too many requests (injected fault)' } } }
      : { status: 500, body: { error: { type: 'api_error', message: 'Internal error (injected fault)' } } };
  }
  if (service === 'dynamodb') {
    return kind === 'throttle'
      ? { status: 400, body: { __type: `${DDB_ERROR_PREFIX}ThrottlingException`, message: 'Rate exceeded (fault)' } }
      : { status: 500, body: { __type: `${DDB_ERROR_PREFIX}InternalServerError`, message: 'Internal (fault)' } };
  }
  return kind === 'throttle'
    ? { status: 400, body: { __type: 'TooManyRequestsException', message: 'Too many requests (injected fault)' } }
    : { status: 500, body: { __type: 'InternalErrorException', message: 'Internal error (injected fault)' } };
}

/** Stripe ids (`cus_…`, `sub_…`) in a path become `:id` so labels are stable across runs. */
function stripeLabel(method: string, url: string): string {
  const path = new URL(url, 'http://x').pathname
    .split('/')
    .map((segment) => (/^[a-z]+_[A-Za-z0-9_]+$/.test(segment) ? ':id' : segment))
    .join('/');
  return `${method} ${path}`;
}

function awsLabel(target: string | undefined, body: string): string {
  const operation = (target ?? 'Unknown').split('.').pop() ?? 'Unknown';
  try {
    const parsed = JSON.parse(body) as { TableName?: unknown; IndexName?: unknown };
    if (typeof parsed.TableName === 'string') {
      return `${operation} ${parsed.TableName}${typeof parsed.IndexName === 'string' ? `/${parsed.IndexName}` : ''}`;
    }
  } catch {
    // not JSON: the operation alone
  }
  return operation;
}

export class FaultProxy {
  /** Every call's label, in order (cleared by `reset()`). */
  readonly calls: string[] = [];
  /** Calls answered with a fault since start. */
  injected = 0;
  private armed: Armed | undefined;
  private server: Server | undefined;
  endpoint = '';

  private constructor(
    readonly service: FaultService,
    private readonly upstream: URL,
  ) {}

  static async start(service: FaultService, upstream: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(service, new URL(upstream));
    proxy.server = createServer((req, res) => {
      void proxy.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
    proxy.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => proxy.server?.listen(0, '127.0.0.1', resolve));
    proxy.endpoint = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  arm(rule: FaultRule): void {
    this.armed = {
      operation: rule.operation,
      kind: rule.kind,
      skip: rule.skip ?? 0,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    };
  }

  disarm(): void {
    this.armed = undefined;
  }

  reset(): void {
    this.calls.length = 0;
    this.disarm();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server ? this.server.close(() => resolve()) : resolve();
    });
  }

  private label(req: IncomingMessage, body: string): string {
    if (this.service === 'stripe') return stripeLabel(req.method ?? 'GET', req.url ?? '/');
    const target = req.headers['x-amz-target'];
    return awsLabel(Array.isArray(target) ? target[0] : target, body);
  }

  /** True when this call must fail (consumes the rule's budget). */
  private shouldFail(label: string): FaultKind | undefined {
    const rule = this.armed;
    if (!rule || rule.operation !== label) return undefined;
    if (rule.skip > 0) {
      rule.skip -= 1;
      return undefined;
    }
    if (rule.remaining <= 0) return undefined;
    rule.remaining -= 1;
    return rule.kind;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const label = this.label(req, body.toString('utf8'));
    this.calls.push(label);
    const fault = this.shouldFail(label);
    if (fault) {
      this.injected += 1;
      if (fault === 'timeout') {
        // No answer, then the connection drops: what a client sees when its request times out in flight.
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      const { status, body: errorBody } = faultResponse(this.service, fault);
      const contentType = this.service === 'stripe' ? 'application/json' : 'application/x-amz-json-1.1';
      res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': 'fault', 'request-id': 'req_fault' });
      res.end(JSON.stringify(errorBody));
      return;
    }
    await this.forward(req, body, res);
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.upstream.host, 'content-length': String(body.length) };
      const upstream = request(
        {
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}

/** One proxy per service, with helpers over all three. */
export class FaultNetwork {
  private constructor(readonly proxies: Record<FaultService, FaultProxy>) {}

  static async start(upstreams: Record<FaultService, string>): Promise<FaultNetwork> {
    const [dynamodb, cognito, stripe] = await Promise.all([
      FaultProxy.start('dynamodb', upstreams.dynamodb),
      FaultProxy.start('cognito', upstreams.cognito),
      FaultProxy.start('stripe', upstreams.stripe),
    ]);
    return new FaultNetwork({ dynamodb, cognito, stripe });
  }

  /** The Lambda env overrides that route a handler's SDK calls through the proxies. */
  envOverrides(): Record<string, string> {
    return {
      DYNAMODB_ENDPOINT: this.proxies.dynamodb.endpoint,
      COGNITO_ENDPOINT: this.proxies.cognito.endpoint,
      STRIPE_API_BASE: this.proxies.stripe.endpoint,
    };
  }

  /** Labels of every call since the last reset, prefixed with the service (`dynamodb:GetItem Entitlements`). */
  calls(): string[] {
    return (Object.entries(this.proxies) as [FaultService, FaultProxy][]).flatMap(([service, proxy]) =>
      proxy.calls.map((call) => `${service}:${call}`),
    );
  }

  arm(call: string, kind: FaultKind, options: Pick<FaultRule, 'skip' | 'times'> = {}): void {
    const [service, ...rest] = call.split(':');
    const proxy = this.proxies[service as FaultService];
    if (!proxy) throw new Error(`unknown service in ${call}`);
    this.disarm();
    proxy.arm({ operation: rest.join(':'), kind, ...options });
  }

  disarm(): void {
    for (const proxy of Object.values(this.proxies)) proxy.disarm();
  }

  reset(): void {
    for (const proxy of Object.values(this.proxies)) proxy.reset();
  }

  injected(): number {
    return Object.values(this.proxies).reduce((sum, proxy) => sum + proxy.injected, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.proxies).map((proxy) => proxy.stop()));
  }
}

/** Distinct calls of a flow in first-seen order, e.g. to generate one fault scenario per external call. */
export function distinctCalls(calls: readonly string[]): string[] {
  return [...new Set(calls)];
}

/**
 * A Stripe emulator plus a FaultNetwork in front of the backend's emulators, and the handlers' environment routed
 * through it: the common setup of every fault and hostile-input suite.
 */
export async function startFaultableStack(
  backend: EmulatorBackend,
  options: { catalog?: PlanCatalog } = {},
): Promise<{ emulator: StripeEmulator; network: FaultNetwork; env: Record<string, string> }> {
  const emulator = await startStripeEmulator(options.catalog ? { catalog: options.catalog } : {});
  const network = await FaultNetwork.start({
    dynamodb: backend.dynamodb.endpoint,
    cognito: backend.cognito.endpoint,
    stripe: emulator.apiBase,
  });
  const env = {
    ...backend.env,
    ...network.envOverrides(),
    STRIPE_SECRET_KEY: emulator.secretKey,
    STRIPE_WEBHOOK_SECRET: emulator.webhookSecret,
    ALLOWED_ORIGINS: 'http://localhost:5173',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  return { emulator, network, env };
}

/** Paths where two states differ, e.g. `record.linkedCustomer: true -> false`: the fault tables' convergence check. */
export function differences(expected: unknown, actual: unknown, path = ''): string[] {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  if (
    expected &&
    actual &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    !Array.isArray(expected) &&
    !Array.isArray(actual)
  ) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((key) =>
      differences(
        (expected as Record<string, unknown>)[key],
        (actual as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      ),
    );
  }
  return [`${path || 'state'}: ${JSON.stringify(expected)} -> ${JSON.stringify(actual)}`];
}
