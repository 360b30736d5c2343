/**
 * `npm run -s id-token -- --stage <stage> --email <email> [--password <password>] [--mfa-code <code>]`
 *
 * Prints the Cognito ID token of a user of the SPA app client on stdout, and nothing else, for the curl examples:
 *   TOKEN=$(ID_TOKEN_PASSWORD='...' npm run -s id-token -- --stage dev --email you@example.com)
 * The password comes from `--password` or, better (not in `ps` or shell history), the ID_TOKEN_PASSWORD variable.
 * - AWS stages: USER_SRP_AUTH, the flow the SPA app client allows (lib/stacks/auth-stack.ts `authFlows: { userSrp }`);
 *   the password never leaves this process. A user with TOTP MFA passes `--mfa-code`. The pool and client ids come
 *   from the `<stage>-Auth` stack outputs (default AWS credential chain, read-only CloudFormation access).
 * - `--stage local`: USER_PASSWORD_AUTH against the stack `npm start` runs (cognito-local has no SRP; the local
 *   client allows it), ids from `$LOCAL_DIR/stack.json`.
 * Exit code 1 when sign-in fails, 64 for bad arguments.
 */

import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  type AuthenticationResultType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { describeIssues } from '../lambdas/domain/validation-issues';
import { localEndpoints, type StageEndpoints, stackOutputs } from './stage-outputs';

export class UsageError extends Error {
  override name = 'UsageError';
}

export class SignInError extends Error {
  override name = 'SignInError';
}

// ---------------------------------------------------------------------------------------------------------------
// SRP-6a as Cognito speaks it (USER_SRP_AUTH -> PASSWORD_VERIFIER): the 3072-bit group of RFC 5054, SHA-256, and
// Cognito's key derivation ("Caldera Derived Key") and claim signature. Checked against amazon-cognito-identity-js
// with fixed inputs (test/unit/scripts/id-token.test.ts).
// ---------------------------------------------------------------------------------------------------------------

export const SRP_N = BigInt(
  `0x${[
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD',
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED',
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F',
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B',
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510',
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7',
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C',
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
  ].join('')}`,
);
export const SRP_G = 2n;
const N = SRP_N;
const g = SRP_G;

/** Hex of a non-negative integer as Cognito hashes it: even length, and a leading 00 when the top bit is set. */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  else if ('89abcdef'.includes(hex[0] ?? '')) hex = `00${hex}`;
  return hex;
}

const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hashHex = (hex: string) => sha256Hex(Buffer.from(hex, 'hex'));
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const k = BigInt(`0x${hashHex(`${padHex(N)}${padHex(g)}`)}`);

export interface SrpSession {
  /** Secret ephemeral a. */
  a: bigint;
  /** Public ephemeral A = g^a mod N, sent as SRP_A (hex). */
  A: bigint;
}

/** A fresh client ephemeral (128 random bytes, as amazon-cognito-identity-js does); `a` can be fixed for tests. */
export function srpSession(a: bigint = BigInt(`0x${randomBytes(128).toString('hex')}`)): SrpSession {
  const A = modPow(g, a, N);
  if (A % N === 0n) throw new SignInError('SRP: A mod N is 0, try again');
  return { a, A };
}

/**
 * The 16-byte password authentication key for a PASSWORD_VERIFIER challenge:
 * x = H(salt | H(poolName | userId | ":" | password)), S = (B - k g^x)^(a + u x) mod N, u = H(A | B), then HKDF.
 */
export function passwordAuthenticationKey(input: {
  session: SrpSession;
  /** The part of the user pool id after `_`. */
  poolName: string;
  /** USER_ID_FOR_SRP from the challenge. */
  userId: string;
  password: string;
  /** SRP_B and SALT from the challenge (hex). */
  srpB: string;
  salt: string;
}): Buffer {
  const B = BigInt(`0x${input.srpB}`);
  if (B % N === 0n) throw new SignInError('SRP: the server sent B mod N = 0');
  const u = BigInt(`0x${hashHex(`${padHex(input.session.A)}${padHex(B)}`)}`);
  if (u === 0n) throw new SignInError('SRP: u is 0, try again');
  const identity = sha256Hex(`${input.poolName}${input.userId}:${input.password}`);
  const x = BigInt(`0x${hashHex(`${padHex(BigInt(`0x${input.salt}`))}${identity}`)}`);
  const base = (((B - k * modPow(g, x, N)) % N) + N) % N;
  const S = modPow(base, input.session.a + u * x, N);
  const prk = hmac(Buffer.from(padHex(u), 'hex'), Buffer.from(padHex(S), 'hex'));
  return hmac(prk, Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])])).subarray(0, 16);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP format, `Tue Mar 3 09:05:07 UTC 2026` (day of month not padded), always UTC. */
export function srpTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${time} UTC ${date.getUTCFullYear()}`;
}

/** PASSWORD_CLAIM_SIGNATURE: base64 HMAC(key, poolName | userId | SECRET_BLOCK bytes | timestamp). */
export function passwordClaimSignature(
  key: Buffer,
  input: { poolName: string; userId: string; secretBlock: string; timestamp: string },
): string {
  return hmac(
    key,
    Buffer.concat([
      Buffer.from(input.poolName, 'utf8'),
      Buffer.from(input.userId, 'utf8'),
      Buffer.from(input.secretBlock, 'base64'),
      Buffer.from(input.timestamp, 'utf8'),
    ]),
  ).toString('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-in
// ---------------------------------------------------------------------------------------------------------------

export type AuthFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH';

export interface SignInInput {
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
  clientId: string;
  email: string;
  password: string;
  flow: AuthFlow;
  /** TOTP code, when the user has MFA set up. */
  mfaCode?: string;
  now?: () => Date;
}

/** Signs a user in to the SPA app client and returns the tokens; fails with a SignInError saying what to do. */
export async function signIn(input: SignInInput): Promise<AuthenticationResultType & { IdToken: string }> {
  let response: InitiateAuthCommandOutput;
  let session: SrpSession | undefined;
  try {
    if (input.flow === 'USER_PASSWORD_AUTH') {
      response = await input.cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: input.clientId,
          AuthParameters: { USERNAME: input.email, PASSWORD: input.password },
        }),
      );
    } else {
      session = srpSession();
      response = await input.cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_SRP_AUTH',
          ClientId: input.clientId,
          AuthParameters: { USERNAME: input.email, SRP_A: session.A.toString(16) },
        }),
      );
    }
    for (let round = 0; round < 3 && !response.AuthenticationResult; round += 1) {
      response = await answerChallenge(input, response, session);
    }
  } catch (error) {
    if (error instanceof SignInError) throw error;
    const name = (error as Error).name;
    throw new SignInError(`sign-in (${input.flow}) failed: ${name}: ${(error as Error).message}`, { cause: error });
  }
  const idToken = response.AuthenticationResult?.IdToken;
  if (!idToken) throw new SignInError(`sign-in (${input.flow}) returned no ID token`);
  return { ...response.AuthenticationResult, IdToken: idToken };
}

async function answerChallenge(
  input: SignInInput,
  response: InitiateAuthCommandOutput,
  session: SrpSession | undefined,
): Promise<InitiateAuthCommandOutput> {
  const parameters = response.ChallengeParameters ?? {};
  switch (response.ChallengeName) {
    case 'PASSWORD_VERIFIER': {
      if (!session) throw new SignInError('unexpected PASSWORD_VERIFIER challenge without SRP');
      const poolName = input.userPoolId.split('_')[1] ?? '';
      const userId = parameters.USER_ID_FOR_SRP ?? '';
      const key = passwordAuthenticationKey({
        session,
        poolName,
        userId,
        password: input.password,
        srpB: parameters.SRP_B ?? '',
        salt: parameters.SALT ?? '',
      });
      const timestamp = srpTimestamp((input.now ?? (() => new Date()))());
      const secretBlock = parameters.SECRET_BLOCK ?? '';
      return input.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: input.clientId,
          ChallengeName: 'PASSWORD_VERIFIER',
          Session: response.Session,
          ChallengeResponses: {
            USERNAME: userId,
            PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
            PASSWORD_CLAIM_SIGNATURE: passwordClaimSignature(key, { poolName, userId, secretBlock, timestamp }),
            TIMESTAMP: timestamp,
          },
        }),
      );
    }
    case 'SOFTWARE_TOKEN_MFA': {
      if (!input.mfaCode) throw new SignInError('this user has TOTP MFA: pass --mfa-code <6 digits>');
      return input.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: input.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: response.Session,
          ChallengeResponses: {
            USERNAME: parameters.USER_ID_FOR_SRP ?? input.email,
            SOFTWARE_TOKEN_MFA_CODE: input.mfaCode,
          },
        }),
      );
    }
    case 'NEW_PASSWORD_REQUIRED':
      throw new SignInError(
        'this user must set a new password first (created by an admin with a temporary password): ' +
          'aws cognito-idp admin-set-user-password --user-pool-id <UserPoolId> --username <email> --password <p> --permanent',
      );
    default:
      throw new SignInError(`sign-in stopped at challenge ${response.ChallengeName ?? '(none)'}, not supported here`);
  }
}

/** The flow a stage's SPA client allows: SRP in AWS; the local client (cognito-local, no SRP) takes a password. */
export function authFlowFor(stage: string): AuthFlow {
  return stage === 'local' ? 'USER_PASSWORD_AUTH' : 'USER_SRP_AUTH';
}

/** A Cognito client for a stage: the emulator on the local stack, the pool's region in AWS. */
export function cognitoClientFor(endpoints: Pick<StageEndpoints, 'region' | 'cognitoEndpoint'>) {
  return new CognitoIdentityProviderClient({
    region: endpoints.region,
    ...(endpoints.cognitoEndpoint
      ? { endpoint: endpoints.cognitoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------------

const USAGE =
  'usage: npm run -s id-token -- --stage <stage> --email <email> [--password <password>] [--mfa-code <code>]\n' +
  '       (or set ID_TOKEN_PASSWORD instead of --password)';

const argsSchema = z
  .object({
    stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be a stage name such as local, dev or prod'),
    email: z.string().min(3).includes('@', { message: 'must be an email address' }),
    password: z.string().min(1, 'is required (or set ID_TOKEN_PASSWORD)'),
    'mfa-code': z
      .string()
      .regex(/^\d{6}$/, 'must be 6 digits')
      .optional(),
  })
  .strict();
export type IdTokenArgs = z.infer<typeof argsSchema>;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): IdTokenArgs {
  const raw: Record<string, unknown> = {};
  if (env.ID_TOKEN_PASSWORD) raw.password = env.ID_TOKEN_PASSWORD;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!['--stage', '--email', '--password', '--mfa-code'].includes(arg)) {
      throw new UsageError(`unknown argument ${arg}\n${USAGE}`);
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value\n${USAGE}`);
    raw[arg.slice(2)] = value;
    i += 1;
  }
  const missing = ['stage', 'email', 'password'].filter((key) => raw[key] === undefined);
  if (missing.length > 0) {
    const hint = missing.includes('password') ? ' (--password or ID_TOKEN_PASSWORD)' : '';
    throw new UsageError(`missing ${missing.map((key) => `--${key}`).join(', ')}${hint}\n${USAGE}`);
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`${describeIssues(parsed.error, { prefix: '--', root: 'arguments' })}\n${USAGE}`);
  }
  return parsed.data;
}

/** Pool and client ids only: an AWS stage needs just `<stage>-Auth` (read-only CloudFormation access). */
async function authEndpoints(stage: string, env: NodeJS.ProcessEnv) {
  if (stage === 'local') return localEndpoints(env);
  const outputs = await stackOutputs(stage, ['Auth']);
  const userPoolId = outputs.get('UserPoolId');
  const userPoolClientId = outputs.get('UserPoolClientId');
  if (!userPoolId || !userPoolClientId) {
    throw new SignInError(`stage ${stage}: stack ${stage}-Auth has no UserPoolId / UserPoolClientId output`);
  }
  return { region: userPoolId.split('_')[0] ?? '', userPoolId, userPoolClientId };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const args = parseArgs(argv, env);
  const endpoints = await authEndpoints(args.stage, env);
  const result = await signIn({
    cognito: cognitoClientFor(endpoints),
    userPoolId: endpoints.userPoolId,
    clientId: endpoints.userPoolClientId,
    email: args.email,
    password: args.password,
    flow: authFlowFor(args.stage),
    ...(args['mfa-code'] ? { mfaCode: args['mfa-code'] } : {}),
  });
  return result.IdToken;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (token) => {
      process.stdout.write(`${token}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = error instanceof UsageError ? 64 : 1;
    },
  );
}
