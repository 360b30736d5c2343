import { join } from 'node:path';
import {
  AdminConfirmSignUpCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../local/stack';
import { main as idToken } from '../../../scripts/id-token';
import { runSmoke, main as smoke, throwawayEmail, throwawayPassword } from '../../../scripts/smoke';
import { localEndpoints } from '../../../scripts/stage-outputs';
import { useLocalStack } from '../../support/local-stack';

/**
 * `npm run smoke -- --stage local` and `npm run id-token -- --stage local` against the local stack (in-process, free
 * ports), read through `$LOCAL_DIR/stack.json` exactly as the CLIs read it.
 */
const started = useLocalStack('smoke-stack');
let stack: LocalStack;
let stateDir: string;
beforeAll(() => {
  ({ stack, stateDir } = started());
});

async function cognitoUserExists(sub: string): Promise<boolean> {
  try {
    await stack.backend.cognitoClient.send(
      new AdminGetUserCommand({ UserPoolId: stack.info.userPoolId, Username: sub }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return false;
    throw error;
  }
}

async function rows(sub: string) {
  const { ddb } = stack.backend;
  const profile = await ddb.send(new GetCommand({ TableName: stack.info.tables.userProfiles, Key: { userId: sub } }));
  const entitlement = await ddb.send(
    new GetCommand({ TableName: stack.info.tables.entitlements, Key: { cognito_sub: sub } }),
  );
  return { profile: profile.Item, entitlement: entitlement.Item };
}

const subOf = (lines: string[]) => /-> sub (\S+)/.exec(lines.join('\n'))?.[1] ?? '';

describe('npm run smoke -- --stage local', () => {
  it('passes every step, one line each, and leaves no user, profile or entitlement behind', async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const code = await smoke(['--stage', 'local'], { LOCAL_DIR: stateDir }, (line) => lines.push(line));

    // Assess
    expect(code).toBe(0);
    expect(lines.map((line) => line.slice(0, 11).trimEnd())).toEqual([
      `smoke local`,
      '✔ api',
      '✔ sign up',
      '✔ confirm',
      '✔ profile',
      '✔ sign in',
      '✔ status',
      '✔ checkout',
      '✔ cleanup',
      'smoke local',
    ]);
    expect(lines.at(-1)).toBe('smoke local: PASSED');
    expect(lines.join('\n')).toMatch(/✔ profile {3}UserProfiles row, Stripe customer cus_/);
    expect(lines.join('\n')).toContain('GET /subscription/status 200 status=none plan=free entitled=false');
    expect(lines.join('\n')).toMatch(/POST \/checkout\/sessions 201 session cs_/);
    expect(lines.join('\n')).toMatch(
      /✔ cleanup {3}deleted Cognito user, UserProfiles row, Entitlements row; left: Stripe customer cus_/,
    );
    const sub = subOf(lines);
    expect(sub).not.toBe('');
    expect(await cognitoUserExists(sub)).toBe(false);
    expect(await rows(sub)).toEqual({ profile: undefined, entitlement: undefined });
  });

  it('reports the failing step, stops there, still cleans up and fails', async () => {
    // Prepare: the API answers 500 to checkout (every other call goes through).
    const lines: string[] = [];
    const failingCheckout: typeof fetch = async (input, init) =>
      String(input).endsWith('/checkout/sessions')
        ? new Response(JSON.stringify({ error: { code: 'internal', message: 'boom' } }), { status: 500 })
        : fetch(input, init);
    const endpoints = localEndpoints({ LOCAL_DIR: stateDir });

    // Act
    const result = await runSmoke({
      endpoints,
      cognito: stack.backend.cognitoClient,
      ddb: stack.backend.ddb,
      email: throwawayEmail('local'),
      password: throwawayPassword(),
      log: (line) => lines.push(line),
      fetch: failingCheckout,
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => `${s.ok ? 'ok' : 'FAIL'} ${s.name}`)).toEqual([
      'ok api',
      'ok sign up',
      'ok confirm',
      'ok profile',
      'ok sign in',
      'ok status',
      'FAIL checkout',
      'ok cleanup',
    ]);
    expect(lines).toContain(
      '✘ checkout  POST /checkout/sessions answered 500: {"error":{"code":"internal","message":"boom"}}',
    );
    expect(lines.at(-1)).toBe('smoke local: FAILED (checkout)');
    expect(await cognitoUserExists(result.sub ?? '')).toBe(false);
    expect(await rows(result.sub ?? '')).toEqual({ profile: undefined, entitlement: undefined });
  });

  it('says to start the local stack when there is none', async () => {
    await expect(
      smoke(['--stage', 'local'], { LOCAL_DIR: join(stateDir, 'nothing-here') }, () => undefined),
    ).rejects.toThrow(/stack\.json not found: start the local stack first \(npm start\)/);
  });
});

describe('npm run id-token -- --stage local', () => {
  it('prints an ID token the local API accepts', async () => {
    // Prepare
    const email = throwawayEmail('token');
    const password = throwawayPassword();
    const { cognitoClient } = stack.backend;
    const signedUp = await cognitoClient.send(
      new SignUpCommand({
        ClientId: stack.info.userPoolClientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    const sub = signedUp.UserSub ?? '';
    await cognitoClient.send(new AdminConfirmSignUpCommand({ UserPoolId: stack.info.userPoolId, Username: sub }));

    try {
      // Act
      const token = await idToken(['--stage', 'local', '--email', email], {
        LOCAL_DIR: stateDir,
        ID_TOKEN_PASSWORD: password,
      });
      const status = await fetch(`${stack.info.apiUrl}/subscription/status`, {
        headers: { authorization: `Bearer ${token}` },
      });

      // Assess
      expect(token.split('.')).toHaveLength(3);
      expect(status.status).toBe(200);
    } finally {
      await cognitoClient.send(new AdminDeleteUserCommand({ UserPoolId: stack.info.userPoolId, Username: sub }));
    }
  });
});
