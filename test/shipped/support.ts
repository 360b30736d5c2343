import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll } from 'vitest';
import { synthesizeApp } from '../../local/shipped/synth';
import { type LocalStack, startLocalStack } from '../../local/stack';

export const PASSWORD = 'Shipped-passw0rd!';

export interface ShippedWorld {
  stack: LocalStack;
  /** Every line the functions logged, by function name. */
  logs: { fn: string; line: string }[];
  errorLogs(): { fn: string; message: string }[];
}

/**
 * The local stack running the shipped artifacts: `synthesizeApp` once per file (esbuild bundles, templates), then
 * every function from its bundle with its template environment and IAM checked (local/shipped, local/aws).
 */
export function useShippedStack(): () => ShippedWorld {
  let world: ShippedWorld | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shipped-'));
    const assemblyDir = synthesizeApp(join(dir, 'cdk.out'));
    const logs: ShippedWorld['logs'] = [];
    const stack = await startLocalStack({
      stateDir: join(dir, 'state'),
      ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 },
      quiet: true,
      env: {},
      stripe: { webhookBackoffMs: () => 10 },
      shipped: { assemblyDir, onLog: (fn, line) => logs.push({ fn, line }) },
    });
    world = {
      stack,
      logs,
      errorLogs: () =>
        logs.flatMap(({ fn, line }) => {
          const parsed = parseJson(line);
          return parsed?.level === 'ERROR' ? [{ fn, message: String(parsed.message) }] : [];
        }),
    };
  }, 180_000);
  afterAll(async () => {
    await world?.stack.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!world) throw new Error('the shipped stack did not start');
    return world;
  };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Signs a user up through cognito-local (Pre-Signup and Post-Confirmation run as bundles) and signs in. */
export async function signedUpUser(stack: LocalStack, email: string, options: { admin?: boolean } = {}) {
  const { cognitoClient } = stack.backend;
  const { userPoolId, userPoolClientId } = stack.info;
  const signUp = await cognitoClient.send(
    new SignUpCommand({
      ClientId: userPoolClientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  const sub = signUp.UserSub ?? '';
  await cognitoClient.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: sub }));
  if (options.admin) {
    await cognitoClient.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: 'admins' }),
    );
  }
  const auth = await cognitoClient.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: PASSWORD },
    }),
  );
  return { sub, email, idToken: auth.AuthenticationResult?.IdToken ?? '' };
}

/** A new ID token for a signed-up user (after a group change; waits a second so the token differs by `iat`). */
export async function signedInAgain(stack: LocalStack, email: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const auth = await stack.backend.cognitoClient.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: stack.info.userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: PASSWORD },
    }),
  );
  return auth.AuthenticationResult?.IdToken ?? '';
}

export async function call(stack: LocalStack, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${stack.info.apiUrl}${path}`, {
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
    // keep the text
  }
  return { status: response.status, body: parsed as Record<string, unknown> };
}

export const uniqueEmail = (tag: string) => `${tag}-${process.pid}-${Date.now()}@example.com`;
