/**
 * `npm run smoke -- --stage <stage> [--email <address>]`
 *
 * After a deploy: checks the stage as a new user would meet it, one line per step, and always cleans up.
 *   api        GET /openapi.json answers (no auth)
 *   sign up    SignUp with a throwaway address (Pre-Signup runs)
 *   confirm    AdminConfirmSignUp (Post-Confirmation runs: profile, Stripe customer, Entitlements row)
 *   profile    the UserProfiles row exists (and its Stripe customer)
 *   sign in    an ID token from the SPA app client (SRP in AWS, as npm run id-token)
 *   status     GET /subscription/status: 200, status none
 *   checkout   POST /checkout/sessions {"plan":"pro","interval":"month"}: 201 with a Checkout URL
 *   cleanup    deletes the Cognito user and its UserProfiles and Entitlements rows (always, even after a failure)
 * Left behind on purpose: the Stripe customer (named in the output; reconcile ignores customers without a Cognito
 * user), the unpaid Checkout Session (Stripe expires it after 24 h) and the AuditLog entries (append-only).
 *
 * - AWS stages: default AWS credential chain. Reads the `<stage>-Auth`, `<stage>-Api` and `<stage>-Data` outputs;
 *   needs cognito-idp SignUp/AdminConfirmSignUp/AdminDeleteUser on the pool and dynamodb GetItem/DeleteItem on the
 *   two tables. Cognito emails the sign-up a verification code (one of the pool's daily emails without SES): the
 *   default address is at example.com, which accepts no mail; pass `--email you+smoke@your-domain` to receive it.
 * - `--stage local`: the stack `npm start` runs, from `$LOCAL_DIR/stack.json` (default `.local`).
 * Exit code 0 when every step passed, 1 when a step or the cleanup failed, 64 for bad arguments.
 */

import { randomBytes } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { describeIssues } from '../lambdas/domain/validation-issues';
import { TABLES } from '../lib/table-definitions';
import { authFlowFor, cognitoClientFor, signIn } from './id-token';
import { type StageEndpoints, stageEndpoints } from './stage-outputs';

export class UsageError extends Error {
  override name = 'UsageError';
}

class StepError extends Error {
  override name = 'StepError';
}

const USAGE = 'usage: npm run smoke -- --stage <stage> [--email <address>]';

const argsSchema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be a stage name such as local, dev or prod'),
    email: z.email().optional(),
  })
  .strict();
export type SmokeArgs = z.infer<typeof argsSchema>;

export function parseArgs(argv: readonly string[]): SmokeArgs {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg !== '--stage' && arg !== '--email') throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value\n${USAGE}`);
    raw[arg.slice(2)] = value;
    i += 1;
  }
  if (raw.stage === undefined) throw new UsageError(`missing --stage\n${USAGE}`);
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`${describeIssues(parsed.error, { prefix: '--', root: 'arguments' })}\n${USAGE}`);
  }
  return parsed.data;
}

export interface SmokeDeps {
  endpoints: StageEndpoints;
  cognito: CognitoIdentityProviderClient;
  ddb: DynamoDBDocumentClient;
  email: string;
  password: string;
  log: (line: string) => void;
  fetch?: typeof fetch;
}

export interface SmokeStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SmokeResult {
  ok: boolean;
  sub?: string;
  steps: SmokeStep[];
}

const STEP_WIDTH = 9;

/** Runs the steps in order, stops at the first failure, then always cleans up what it created. */
export async function runSmoke(deps: SmokeDeps): Promise<SmokeResult> {
  const { endpoints, cognito, ddb, log } = deps;
  const http = deps.fetch ?? fetch;
  const steps: SmokeStep[] = [];
  const record = (name: string, ok: boolean, detail: string) => {
    steps.push({ name, ok, detail });
    log(`${ok ? '✔' : '✘'} ${name.padEnd(STEP_WIDTH)} ${detail}`);
  };
  const step = async <T>(name: string, run: () => Promise<T>, describe: (value: T) => string): Promise<T> => {
    let value: T;
    try {
      value = await run();
    } catch (error) {
      const message =
        error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      record(name, false, message);
      throw new StepError(name);
    }
    record(name, true, describe(value));
    return value;
  };
  const call = async (method: 'GET' | 'POST', path: string, token?: string, body?: unknown) => {
    const response = await http(`${endpoints.apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the message
    }
    return { status: response.status, body: parsed };
  };
  const answered = (what: string, response: { status: number; body: unknown }) =>
    new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);

  log(`smoke ${endpoints.stage}: ${endpoints.apiUrl} (user pool ${endpoints.userPoolId})`);
  let sub: string | undefined;
  let passed = false;
  try {
    await step(
      'api',
      async () => {
        const response = await call('GET', '/openapi.json');
        if (response.status !== 200) throw answered('GET /openapi.json', response);
        return response;
      },
      () => 'GET /openapi.json 200',
    );
    sub = await step(
      'sign up',
      async () => {
        const out = await cognito.send(
          new SignUpCommand({
            ClientId: endpoints.userPoolClientId,
            Username: deps.email,
            Password: deps.password,
            UserAttributes: [{ Name: 'email', Value: deps.email }],
          }),
        );
        if (!out.UserSub) throw new Error('Cognito returned no user sub');
        return out.UserSub;
      },
      (value) => `${deps.email} -> sub ${value} (Pre-Signup accepted)`,
    );
    const signedUp = sub;
    await step(
      'confirm',
      () => cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: endpoints.userPoolId, Username: signedUp })),
      () => 'AdminConfirmSignUp (Post-Confirmation ran)',
    );
    const profilesTable = endpoints.tables.userProfiles;
    await step(
      'profile',
      async () => {
        if (!profilesTable) return 'skipped: no UserProfilesTableName output';
        const item = (await ddb.send(new GetCommand({ TableName: profilesTable, Key: { userId: signedUp } }))).Item;
        if (!item) throw new Error(`no UserProfiles row for ${signedUp}: Post-Confirmation did not create it`);
        const customer = typeof item.stripeCustomerId === 'string' ? item.stripeCustomerId : undefined;
        return customer
          ? `UserProfiles row, Stripe customer ${customer}`
          : 'UserProfiles row, no Stripe customer yet (Stripe was unreachable at sign-up; checkout creates it)';
      },
      (detail) => detail,
    );
    const flow = authFlowFor(endpoints.stage);
    const idToken = await step(
      'sign in',
      async () => {
        const tokens = await signIn({
          cognito,
          userPoolId: endpoints.userPoolId,
          clientId: endpoints.userPoolClientId,
          email: deps.email,
          password: deps.password,
          flow,
        });
        const claims = JSON.parse(Buffer.from(tokens.IdToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
          aud?: string;
        };
        if (claims.aud !== endpoints.userPoolClientId) {
          throw new Error(`ID token aud ${claims.aud} is not the app client ${endpoints.userPoolClientId}`);
        }
        return tokens.IdToken;
      },
      () => `ID token (${flow}), aud = app client`,
    );
    await step(
      'status',
      async () => {
        const response = await call('GET', '/subscription/status', idToken);
        if (response.status !== 200) throw answered('GET /subscription/status', response);
        const body = response.body as { status?: string; plan?: string; entitled?: boolean };
        if (body.status !== 'none' || body.entitled !== false) {
          throw new Error(`a new user should read status none, not entitled; got ${JSON.stringify(body)}`);
        }
        return body;
      },
      (body) => `GET /subscription/status 200 status=${body.status} plan=${body.plan} entitled=${body.entitled}`,
    );
    await step(
      'checkout',
      async () => {
        const response = await call('POST', '/checkout/sessions', idToken, { plan: 'pro', interval: 'month' });
        const body = response.body as { id?: string; url?: string };
        if (response.status !== 201 || !body.url) throw answered('POST /checkout/sessions', response);
        return { id: body.id ?? '?', origin: new URL(body.url).origin };
      },
      (session) => `POST /checkout/sessions 201 session ${session.id} at ${session.origin}`,
    );
    passed = true;
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
  } finally {
    if (sub) await cleanUp(deps, sub, record);
  }
  const ok = passed && steps.every((s) => s.ok);
  const failed = steps.filter((s) => !s.ok).map((s) => s.name);
  log(`smoke ${endpoints.stage}: ${ok ? 'PASSED' : `FAILED (${failed.join(', ')})`}`);
  return { ok, ...(sub ? { sub } : {}), steps };
}

/** Deletes what the run created: the Cognito user first (nobody can sign in as it), then its rows. */
async function cleanUp(deps: SmokeDeps, sub: string, record: (name: string, ok: boolean, detail: string) => void) {
  const { endpoints, cognito, ddb } = deps;
  const done: string[] = [];
  const problems: string[] = [];
  let customer: string | undefined;
  const profilesTable = endpoints.tables.userProfiles;
  if (profilesTable) {
    try {
      const item = (await ddb.send(new GetCommand({ TableName: profilesTable, Key: { userId: sub } }))).Item;
      if (typeof item?.stripeCustomerId === 'string') customer = item.stripeCustomerId;
    } catch {
      // only used to name the customer left behind
    }
  }
  try {
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: endpoints.userPoolId, Username: sub }));
    done.push('Cognito user');
  } catch (error) {
    problems.push(
      `Cognito user not deleted (${(error as Error).message}): ` +
        `aws cognito-idp admin-delete-user --user-pool-id ${endpoints.userPoolId} --username ${sub}`,
    );
  }
  const rows = [
    {
      table: endpoints.tables.userProfiles,
      label: 'UserProfiles',
      key: { [TABLES.userProfiles.partitionKey.name]: sub },
    },
    {
      table: endpoints.tables.entitlements,
      label: 'Entitlements',
      key: { [TABLES.entitlements.partitionKey.name]: sub },
    },
  ];
  for (const row of rows) {
    if (!row.table) {
      problems.push(`${row.label} row not deleted: no ${row.label}TableName output`);
      continue;
    }
    try {
      await ddb.send(new DeleteCommand({ TableName: row.table, Key: row.key }));
      done.push(`${row.label} row`);
    } catch (error) {
      problems.push(`${row.label} row not deleted (${(error as Error).message}): key ${JSON.stringify(row.key)}`);
    }
  }
  const left = customer ? `; left: Stripe customer ${customer} (metadata.cognito_sub=${sub})` : '';
  if (problems.length === 0) record('cleanup', true, `deleted ${done.join(', ')}${left}`);
  else record('cleanup', false, `${problems.join('; ')}${done.length ? `; deleted ${done.join(', ')}` : ''}${left}`);
}

/** A throwaway password that meets the pool's policy (12+ characters, upper, lower, digit, symbol). */
export function throwawayPassword(): string {
  return `Smoke-${randomBytes(12).toString('base64url')}-9a!`;
}

export function throwawayEmail(stage: string): string {
  return `smoke+${stage}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}@example.com`;
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const args = parseArgs(argv);
  const endpoints = await stageEndpoints(args.stage, env);
  const dynamo = new DynamoDBClient({
    region: endpoints.region,
    ...(endpoints.dynamodbEndpoint
      ? { endpoint: endpoints.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const result = await runSmoke({
    endpoints,
    cognito: cognitoClientFor(endpoints),
    ddb: DynamoDBDocumentClient.from(dynamo),
    email: args.email ?? throwawayEmail(args.stage),
    password: throwawayPassword(),
    log,
  });
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = error instanceof UsageError ? 64 : 1;
    },
  );
}
