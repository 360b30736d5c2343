import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { localLambdaContext } from '../../../local/lambda-context';
import { useEmulatorBackend } from '../../support/backend';

/**
 * The adopt-an-existing-pool custom resource's handler (lib/adopted-pool/handler.ts), run as Lambda runs it: its own
 * module-level SDK client (pointed at cognito-local with AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER), a
 * CloudFormation event, and its answer PUT to a ResponseURL. cognito-local implements both calls it makes:
 * DescribeUserPool, and UpdateUserPool with the real API's reset semantics (every updatable setting not in the
 * request is set to nothing), so a setting the handler failed to write back would be lost here as in AWS.
 * cognito-local neither stores nor returns UserAttributeUpdateSettings and DeletionProtection: those two are
 * covered by the request builder's unit test only (test/infra/adopted-pool-update-request.test.ts).
 */
const backend = useEmulatorBackend({ triggers: false });
const OURS = {
  PreSignUp: 'arn:aws:lambda:us-east-1:000000000000:function:app-pre-signup',
  PostConfirmation: 'arn:aws:lambda:us-east-1:000000000000:function:app-post-confirmation',
};
const THEIRS = 'arn:aws:lambda:us-east-1:000000000000:function:their';

type Handler = typeof import('../../../lib/adopted-pool/handler').handler;
let handler: Handler;
let server: Server;
let responseUrl = '';
let responses: Record<string, unknown>[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: backend().cognito.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  // Imported after the environment is set: the handler builds its client at module load, as in Lambda.
  ({ handler } = await import('../../../lib/adopted-pool/handler'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      responses.push({ method: req.method, ...JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response`;
});
afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server?.close(resolve));
});
// The handler logs with console.log/console.error (JSON lines, no Powertools): captured here, asserted where expected.
let consoleLog: MockInstance<typeof console.log>;
let consoleError: MockInstance<typeof console.error>;
const messagesOf = (spy: MockInstance<(...args: unknown[]) => void>) =>
  spy.mock.calls.map(([line]) => (JSON.parse(String(line)) as { message: string }).message);
beforeEach(() => {
  responses = [];
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** An existing pool as a team would have it: its own triggers, policies, messages, email, SMS, tags, recovery. */
async function existingPool(lambdaConfig: Record<string, string>): Promise<UserPoolType> {
  const { cognitoClient } = backend();
  const created = await cognitoClient.send(
    new CreateUserPoolCommand({
      PoolName: `existing-${Date.now()}`,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireSymbols: true,
          RequireNumbers: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      LambdaConfig: lambdaConfig,
      EmailVerificationSubject: 'Your code',
      EmailVerificationMessage: 'Your code is {####}',
      SmsVerificationMessage: 'Verify: {####}',
      SmsAuthenticationMessage: 'Sign-in: {####}',
      VerificationMessageTemplate: {
        DefaultEmailOption: 'CONFIRM_WITH_CODE',
        EmailSubject: 'Your code',
        EmailMessage: 'Your code is {####}',
      },
      MfaConfiguration: 'OPTIONAL',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        SourceArn: 'arn:aws:ses:us-east-1:000000000000:identity/example.com',
        From: 'Example <no-reply@example.com>',
      },
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::000000000000:role/their-sms', ExternalId: 'their-external-id' },
      UserPoolTags: { team: 'identity', costCenter: '42' },
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: false,
        InviteMessageTemplate: { EmailSubject: 'Welcome', EmailMessage: 'User {username}, code {####}' },
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    }),
  );
  return created.UserPool ?? {};
}

async function describePool(id: string): Promise<UserPoolType> {
  const out = await backend().cognitoClient.send(new DescribeUserPoolCommand({ UserPoolId: id }));
  return out.UserPool ?? {};
}

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  userPoolId: string,
  physicalId?: string,
): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:adopted-pool-triggers',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/auth/1',
    RequestId: `request-${requestType}`,
    LogicalResourceId: 'AdoptedPoolTriggers',
    ResourceType: 'Custom::AdoptedPoolTriggers',
    ResourceProperties: { ServiceToken: 'x', UserPoolId: userPoolId, ...OURS },
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
  } as CloudFormationCustomResourceEvent;
}

const context = () => localLambdaContext('adopted-pool-triggers', { region: 'us-east-1', timeoutMs: 60_000 });

/**
 * Everything but the triggers and the modification time, and the deprecated
 * `AdminCreateUserConfig.UnusedAccountValidityDays`: cognito-local fills in 7 at creation and, having no
 * mirror of it, drops it once the handler leaves it out (UpdateUserPool refuses it next to
 * `Policies.PasswordPolicy.TemporaryPasswordValidityDays`, which AWS reports it from and which is compared).
 */
function settingsOf(pool: UserPoolType): Partial<UserPoolType> {
  const { LambdaConfig: _triggers, LastModifiedDate: _modified, AdminCreateUserConfig, ...rest } = pool;
  const { UnusedAccountValidityDays: _deprecated, ...adminCreateUser } = AdminCreateUserConfig ?? {};
  return { ...rest, AdminCreateUserConfig: adminCreateUser };
}

describe('adopted pool triggers custom resource (handler against cognito-local)', () => {
  it('Create attaches our two triggers and writes back every other setting; Delete takes only ours off', async () => {
    // Prepare
    const pool = await existingPool({ CustomMessage: THEIRS, PreAuthentication: THEIRS });
    const id = String(pool.Id);
    const before = await describePool(id);

    // Act
    await handler(event('Create', id), context());
    const attached = await describePool(id);
    await handler(event('Delete', id, `${id}/app-triggers`), context());
    const detached = await describePool(id);

    // Assess
    expect(messagesOf(consoleLog)).toEqual(['app triggers attached', 'app triggers detached']);
    expect(messagesOf(consoleError)).toEqual([]);
    expect(responses).toEqual([
      expect.objectContaining({
        method: 'PUT',
        Status: 'SUCCESS',
        PhysicalResourceId: `${id}/app-triggers`,
        RequestId: 'request-Create',
        LogicalResourceId: 'AdoptedPoolTriggers',
      }),
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: `${id}/app-triggers`,
        RequestId: 'request-Delete',
      }),
    ]);
    expect(attached.LambdaConfig).toEqual({ CustomMessage: THEIRS, PreAuthentication: THEIRS, ...OURS });
    expect(settingsOf(attached)).toEqual(settingsOf(before));
    expect(settingsOf(before)).toMatchObject({
      Policies: { PasswordPolicy: expect.objectContaining({ MinimumLength: 14, TemporaryPasswordValidityDays: 3 }) },
      EmailConfiguration: expect.objectContaining({ EmailSendingAccount: 'DEVELOPER' }),
      UserPoolTags: { team: 'identity', costCenter: '42' },
      MfaConfiguration: 'OPTIONAL',
    }); // the comparison above compares real settings, not two empty pools
    expect(detached.LambdaConfig).toEqual({ CustomMessage: THEIRS, PreAuthentication: THEIRS });
    expect(settingsOf(detached)).toEqual(settingsOf(before));
  });

  it('Update keeps ours attached; Delete leaves a trigger someone repointed since', async () => {
    // Prepare: attached, then an operator points Pre-Signup at their own function
    const pool = await existingPool({});
    const id = String(pool.Id);
    await handler(event('Create', id), context());
    await handler(event('Update', id, `${id}/app-triggers`), context());
    const updated = await describePool(id);
    const { cognitoClient } = backend();
    const { updateRequestFor } = await import('../../../lib/adopted-pool/update-request');
    const { UpdateUserPoolCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    await cognitoClient.send(
      new UpdateUserPoolCommand(updateRequestFor(updated, { ...updated.LambdaConfig, PreSignUp: THEIRS })),
    );

    // Act
    await handler(event('Delete', id, `${id}/app-triggers`), context());

    // Assess
    expect(updated.LambdaConfig).toEqual(OURS);
    expect(responses.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect((await describePool(id)).LambdaConfig).toEqual({ PreSignUp: THEIRS });
  });

  it('a Create on a pool that does not exist answers FAILED with the reason; its Delete then changes nothing', async () => {
    // Act
    await handler(event('Create', 'us-east-1_missing'), context());
    await handler(event('Delete', 'us-east-1_missing', 'us-east-1_missing/app-triggers/failed'), context());

    // Assess
    expect(responses).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        PhysicalResourceId: 'us-east-1_missing/app-triggers/failed',
        Reason: expect.stringMatching(/ResourceNotFound.*See CloudWatch log stream local/),
      }),
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'us-east-1_missing/app-triggers/failed' }),
    ]);
    expect(messagesOf(consoleError)).toEqual(['pool triggers change failed']);
    expect(messagesOf(consoleLog)).toEqual([]);
  });
});
