import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  NotAuthorizedException,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  authFlowFor,
  padHex,
  parseArgs,
  passwordAuthenticationKey,
  passwordClaimSignature,
  SignInError,
  SRP_G,
  SRP_N,
  signIn,
  srpSession,
  srpTimestamp,
  UsageError,
} from '../../../scripts/id-token';
import fixture from './fixtures/srp-vectors.json';

const cognito = mockClient(CognitoIdentityProviderClient);

describe('SRP as Cognito speaks it', () => {
  it.each(fixture.vectors.map((v, i) => [i, v] as const))(
    'matches amazon-cognito-identity-js for vector %i (A, key, claim signature)',
    (_i, vector) => {
      // Prepare
      const session = srpSession(BigInt(`0x${vector.a}`));

      // Act
      const key = passwordAuthenticationKey({
        session,
        poolName: vector.poolName,
        userId: vector.userId,
        password: vector.password,
        srpB: vector.srpB,
        salt: vector.salt,
      });
      const signature = passwordClaimSignature(key, {
        poolName: vector.poolName,
        userId: vector.userId,
        secretBlock: vector.secretBlock,
        timestamp: vector.timestamp,
      });

      // Assess
      expect(session.A.toString(16)).toBe(vector.A);
      expect(key.toString('hex')).toBe(vector.key);
      expect(signature).toBe(vector.signature);
    },
  );

  it('pads hex the way Cognito hashes it (even length, 00 before a set top bit)', () => {
    expect(padHex(0xabn)).toBe('00ab');
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0xfffn)).toBe('0fff');
    expect(padHex(0x123n)).toBe('0123');
  });

  it('formats TIMESTAMP as "ddd MMM D HH:mm:ss UTC YYYY" without padding the day', () => {
    expect(srpTimestamp(new Date('2026-03-03T09:05:07Z'))).toBe('Tue Mar 3 09:05:07 UTC 2026');
    expect(srpTimestamp(new Date('2025-12-25T23:59:00Z'))).toBe('Thu Dec 25 23:59:00 UTC 2025');
  });
});

/**
 * A Cognito double that plays the server side of SRP from the password verifier (v = g^x), the way Cognito does:
 * B = k v + g^b, S = (A v^u)^b. It shares no code path with the client's S = (B - k g^x)^(a + u x), so a sign-in
 * that verifies proves the client math end to end.
 */
function srpServer(options: { poolId: string; userId: string; password: string; mfa?: boolean }) {
  const hex = (value: string) => createHash('sha256').update(Buffer.from(value, 'hex')).digest('hex');
  const pow = (base: bigint, exp: bigint) => {
    let result = 1n;
    let b = base % SRP_N;
    let e = exp;
    while (e > 0n) {
      if (e & 1n) result = (result * b) % SRP_N;
      b = (b * b) % SRP_N;
      e >>= 1n;
    }
    return result;
  };
  const poolName = options.poolId.split('_')[1] ?? '';
  const salt = randomBytes(16).toString('hex');
  const identity = createHash('sha256').update(`${poolName}${options.userId}:${options.password}`).digest('hex');
  const x = BigInt(`0x${hex(`${padHex(BigInt(`0x${salt}`))}${identity}`)}`);
  const v = pow(SRP_G, x);
  const k = BigInt(`0x${hex(`${padHex(SRP_N)}${padHex(SRP_G)}`)}`);
  const b = BigInt(`0x${randomBytes(64).toString('hex')}`);
  const B = (k * v + pow(SRP_G, b)) % SRP_N;
  const secretBlock = randomBytes(32).toString('base64');
  let A = 0n;
  const tokens = { IdToken: 'id.token.value', AccessToken: 'access', RefreshToken: 'refresh', ExpiresIn: 3600 };

  cognito.on(InitiateAuthCommand).callsFake((input) => {
    expect(input.AuthFlow).toBe('USER_SRP_AUTH');
    expect(input.AuthParameters?.PASSWORD).toBeUndefined();
    A = BigInt(`0x${input.AuthParameters?.SRP_A}`);
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: {
        SALT: salt,
        SRP_B: B.toString(16),
        SECRET_BLOCK: secretBlock,
        USER_ID_FOR_SRP: options.userId,
      },
    };
  });
  cognito.on(RespondToAuthChallengeCommand).callsFake((input) => {
    const responses = input.ChallengeResponses ?? {};
    if (input.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
      if (responses.SOFTWARE_TOKEN_MFA_CODE !== '123456')
        throw new NotAuthorizedException({ message: 'Invalid code', $metadata: {} });
      return { AuthenticationResult: tokens };
    }
    const u = BigInt(`0x${hex(`${padHex(A)}${padHex(B)}`)}`);
    const S = pow((A * pow(v, u)) % SRP_N, b);
    const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
      .update(Buffer.from(padHex(S), 'hex'))
      .digest();
    const key = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])]))
      .digest()
      .subarray(0, 16);
    const expected = createHmac('sha256', key)
      .update(
        Buffer.concat([
          Buffer.from(poolName),
          Buffer.from(options.userId),
          Buffer.from(secretBlock, 'base64'),
          Buffer.from(responses.TIMESTAMP ?? ''),
        ]),
      )
      .digest('base64');
    expect(responses.USERNAME).toBe(options.userId);
    expect(responses.PASSWORD_CLAIM_SECRET_BLOCK).toBe(secretBlock);
    if (responses.PASSWORD_CLAIM_SIGNATURE !== expected) {
      throw new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata: {} });
    }
    return options.mfa
      ? { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'mfa-session', ChallengeParameters: {} }
      : { AuthenticationResult: tokens };
  });
}

describe('signIn', () => {
  const base = {
    userPoolId: 'eu-west-1_AbCdEf123',
    clientId: 'client-1',
    email: 'someone@example.com',
    password: 'Correct-horse-9!',
  };
  beforeEach(() => {
    cognito.reset();
  });

  it('gets an ID token with USER_SRP_AUTH (the password never sent) from a verifier-based server', async () => {
    // Prepare
    srpServer({ poolId: base.userPoolId, userId: 'a1b2c3d4-sub', password: base.password });

    // Act
    const result = await signIn({ ...base, cognito: new CognitoIdentityProviderClient({}), flow: 'USER_SRP_AUTH' });

    // Assess
    expect(result.IdToken).toBe('id.token.value');
    expect(cognito.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(1);
  });

  it('fails with the server message on a wrong password', async () => {
    // Prepare
    srpServer({ poolId: base.userPoolId, userId: 'a1b2c3d4-sub', password: 'another-Passw0rd!' });

    // Act
    const result = signIn({ ...base, cognito: new CognitoIdentityProviderClient({}), flow: 'USER_SRP_AUTH' });

    // Assess
    await expect(result).rejects.toThrow(SignInError);
    await expect(result).rejects.toThrow(
      'sign-in (USER_SRP_AUTH) failed: NotAuthorizedException: Incorrect username or password.',
    );
  });

  it('answers a TOTP challenge with --mfa-code, and asks for it when missing', async () => {
    // Prepare
    srpServer({ poolId: base.userPoolId, userId: 'sub-mfa', password: base.password, mfa: true });
    const client = new CognitoIdentityProviderClient({});

    // Act
    const withCode = await signIn({ ...base, cognito: client, flow: 'USER_SRP_AUTH', mfaCode: '123456' });
    const withoutCode = signIn({ ...base, cognito: client, flow: 'USER_SRP_AUTH' });

    // Assess
    expect(withCode.IdToken).toBe('id.token.value');
    await expect(withoutCode).rejects.toThrow('this user has TOTP MFA: pass --mfa-code <6 digits>');
  });

  it('says what to do for a user who must set a new password', async () => {
    // Prepare
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', ChallengeParameters: {} });

    // Act
    const result = signIn({ ...base, cognito: new CognitoIdentityProviderClient({}), flow: 'USER_PASSWORD_AUTH' });

    // Assess
    await expect(result).rejects.toThrow(/must set a new password first[\s\S]*admin-set-user-password/);
  });

  it('uses USER_PASSWORD_AUTH on the local stack only (cognito-local has no SRP)', async () => {
    // Prepare
    cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { IdToken: 'local.id.token' } });

    // Act
    const result = await signIn({
      ...base,
      cognito: new CognitoIdentityProviderClient({}),
      flow: authFlowFor('local'),
    });

    // Assess
    expect(authFlowFor('dev')).toBe('USER_SRP_AUTH');
    expect(result.IdToken).toBe('local.id.token');
    expect(cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input).toMatchObject({
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: base.email, PASSWORD: base.password },
    });
  });
});

describe('id-token arguments', () => {
  it('takes the password from ID_TOKEN_PASSWORD when --password is absent', () => {
    expect(parseArgs(['--stage', 'dev', '--email', 'a@example.com'], { ID_TOKEN_PASSWORD: 'pw' })).toEqual({
      stage: 'dev',
      email: 'a@example.com',
      password: 'pw',
    });
  });

  it('names what is missing or wrong', () => {
    expect(() => parseArgs(['--stage', 'dev'])).toThrow(UsageError);
    expect(() => parseArgs(['--stage', 'dev'])).toThrow(
      'missing --email, --password (--password or ID_TOKEN_PASSWORD)',
    );
    expect(() => parseArgs(['--stage', 'Dev!', '--email', 'a@example.com', '--password', 'p'])).toThrow(
      '--stage: must be a stage name such as local, dev or prod',
    );
    expect(() =>
      parseArgs(['--stage', 'dev', '--email', 'a@example.com', '--password', 'p', '--mfa-code', '12']),
    ).toThrow('--mfa-code: must be 6 digits');
    expect(() => parseArgs(['--token'])).toThrow('unknown argument --token');
  });
});
