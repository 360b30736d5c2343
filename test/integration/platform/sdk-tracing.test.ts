import { createSocket, type Socket } from 'node:dgram';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlanCatalog } from '../../../lambdas/domain/plan-catalog';
import { CONTRACTS } from '../../../lambdas/platform/contracts';
import { lambdaEntry } from '../../../lambdas/platform/lambda-entry';
import { sdkTracingHooks } from '../../../lambdas/platform/sdk-tracing';
import { type StripeEmulator, startStripeEmulator } from '../../../local/stripe/emulator';
import { useEmulatorBackend } from '../../support/backend';

/** What the X-Ray SDK sends the daemon: a JSON header line, then the (sub)segment document. */
interface SegmentDocument {
  name: string;
  namespace?: string;
  aws?: { operation?: string };
  http?: { request?: { url?: string } };
}

/** A stand-in X-Ray daemon: the UDP socket AWS_XRAY_DAEMON_ADDRESS points the SDK at. */
function startDaemon(): Promise<{ socket: Socket; port: number; received: SegmentDocument[] }> {
  const received: SegmentDocument[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message) => {
    const [, body] = message.toString('utf8').split('\n');
    if (body) received.push(JSON.parse(body) as SegmentDocument);
  });
  return new Promise((resolve) => {
    socket.bind(0, '127.0.0.1', () => resolve({ socket, port: socket.address().port, received }));
  });
}

describe('SDK tracing (Powertools Tracer, X-Ray SDK, dynalite + cognito-local)', () => {
  const backend = useEmulatorBackend({ triggers: false });
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  let stripe: StripeEmulator;

  beforeAll(async () => {
    daemon = await startDaemon();
    stripe = await startStripeEmulator({ catalog: PlanCatalog.defaults() });
    // What Lambda sets for a sampled, traced invocation; the X-Ray SDK reads these when it is first loaded.
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    vi.stubEnv('_X_AMZN_TRACE_ID', 'Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1');
    vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${daemon.port}`);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    daemon.socket.close();
    await stripe?.stop();
  });

  it('off unless the stage turns it on: no hooks, nothing loaded', async () => {
    expect(await sdkTracingHooks({})).toEqual({});
    expect(await sdkTracingHooks({ POWERTOOLS_TRACE_ENABLED: 'false' })).toEqual({});
  });

  it('on: every DynamoDB, Cognito and Stripe call of a handler reaches the daemon as a subsegment', async () => {
    // Prepare
    const env = {
      ...backend().env,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_API_BASE: stripe.apiBase,
      STRIPE_WEBHOOK_SECRET: 'whsec_tracing',
      POWERTOOLS_TRACE_ENABLED: 'true',
    };
    const handle = lambdaEntry(CONTRACTS.stripeWebhook, (runtime) => async () => {
      await runtime.ddb.send(new ListTablesCommand({}));
      await runtime.cognito.send(new ListUsersCommand({ UserPoolId: runtime.userPoolId, Limit: 1 }));
      await (await runtime.stripe()).customers.list({ limit: 1 });
      return 'ok';
    }).fromEnv(env);

    // Act
    await handle({});

    // Assess
    await vi.waitFor(() =>
      expect(daemon.received.filter((doc) => doc.namespace === 'aws')).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'DynamoDB', aws: expect.objectContaining({ operation: 'ListTables' }) }),
          expect.objectContaining({
            name: 'CognitoIdentityProvider',
            aws: expect.objectContaining({ operation: 'ListUsers' }),
          }),
        ]),
      ),
    );
    await vi.waitFor(() =>
      expect(daemon.received).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            namespace: 'remote',
            http: expect.objectContaining({
              request: expect.objectContaining({ url: expect.stringContaining('/v1/customers') }),
            }),
          }),
        ]),
      ),
    );
  });
});
