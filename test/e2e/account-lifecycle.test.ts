import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../local/journey';
import { type LocalStack, startLocalStack } from '../../local/stack';

/**
 * Account lifecycle (issue 16) through the local stack: equivalent email spellings, live admin membership,
 * orphaned profiles freed, account deletion.
 */
let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'e2e-lifecycle-'));
  stack = await startLocalStack({
    stateDir,
    ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 },
    quiet: true,
    env: {},
    stripe: { webhookBackoffMs: () => 10 },
  });
});
afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

let seq = 0;
const uniqueLocal = (tag: string) => `${tag}-${process.pid}-${Date.now()}-${++seq}`;

function signUp(address: string) {
  return stack.backend.cognitoClient.send(
    new SignUpCommand({
      ClientId: stack.info.userPoolClientId,
      Username: address,
      Password: DEMO_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: address }],
    }),
  );
}

describe('equivalent email spellings', () => {
  it.each([
    ['a quoted local part', (local: string) => `${local}@example.com`, (local: string) => `"${local}"@example.com`],
    [
      'the punycode form of an internationalised domain',
      (local: string) => `${local}@bücher.example`,
      (local: string) => `${local}@xn--bcher-kva.example`,
    ],
    [
      'the Unicode form after a punycode sign-up',
      (local: string) => `${local}@xn--bcher-kva.example`,
      (local: string) => `${local.toUpperCase()}@BÜCHER.example`,
    ],
  ])('rejects a second sign-up spelling the address with %s', async (_case, first, second) => {
    // Prepare
    const local = uniqueLocal('spelling');
    await signUp(first(local));

    // Act
    const again = signUp(second(local));

    // Assess
    await expect(again).rejects.toThrow(/An account with this email already exists/);
  });
});
