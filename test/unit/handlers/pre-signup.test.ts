import {
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserStatusType,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory } from '../../../lambdas/adapters/cognito/cognito-users';
import { DynamoProfileStore } from '../../../lambdas/adapters/dynamo/profile-store';
import { InvalidInputError } from '../../../lambdas/domain/errors';
import { createPreSignUpHandler, handlerFromEnv } from '../../../lambdas/handlers/pre-signup';
import { ConfigError, parseEnv, preSignUpEnvSchema } from '../../../lambdas/platform/config';
import {
  DUPLICATE_EMAIL_MESSAGE,
  INVALID_EMAIL_MESSAGE,
  SIGN_UP_UNAVAILABLE_MESSAGE,
  SignUpRejectedError,
} from '../../../lambdas/use-cases/identity/pre-signup';
import { cloneEvent } from '../../fixtures/cognito';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

function cognitoUser(
  username: string,
  email: string,
  status: UserStatusType = 'CONFIRMED',
  created = '2026-01-01T00:00:00Z',
): UserType {
  return {
    Username: username,
    UserStatus: status,
    Enabled: true,
    UserCreateDate: new Date(created),
    Attributes: [
      { Name: 'sub', Value: `${username}-sub` },
      { Name: 'email', Value: email },
      { Name: 'email_verified', Value: 'true' },
    ],
  };
}

function userNotFound() {
  return Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' });
}

function handlerWith(failOpen = false) {
  return createPreSignUpHandler((userPoolId) => ({
    users: new CognitoUserDirectory(cognito, userPoolId),
    profiles: new DynamoProfileStore(ddb, 'UserProfiles'),
    failOpen,
  }));
}

function linkCalls() {
  return cognitoMock.commandCalls(AdminLinkProviderForUserCommand).map((call) => call.args[0].input);
}

describe('Pre-Signup trigger', () => {
  beforeEach(() => {
    cognitoMock.reset();
    ddbMock.reset();
    cognitoMock.on(ListUsersCommand).resolves({ Users: [] });
    ddbMock.on(QueryCommand).resolves({ Items: [] });
  });

  describe('PreSignUp_SignUp / PreSignUp_AdminCreateUser', () => {
    it('allows a new email and returns the event with the response untouched', async () => {
      // Prepare
      const event = cloneEvent('preSignUp');
      // Act
      const result = await handlerWith()(event);
      // Assess
      expect(result).toEqual(event);
      expect(result.response).toEqual({ autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false });
      const listUsers = cognitoMock.commandCalls(ListUsersCommand)[0]?.args[0].input;
      expect(listUsers).toMatchObject({ UserPoolId: 'us-east-1_Example01', Filter: 'email = "alice@example.com"' });
      expect(ddbMock.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
        IndexName: 'EmailIndex',
        ExpressionAttributeValues: { ':v': 'alice@example.com' },
      });
    });

    it.each([
      ['exact', 'alice@example.com'],
      ['other case', 'ALICE@Example.com'],
      ['surrounding spaces', ' alice@example.com '],
      ['full-width (NFKC)', 'ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ'],
      ['needlessly quoted local part', '"alice"@example.com'],
      ['quoted pair in the local part', '"al\\ice"@EXAMPLE.com'],
    ])('rejects a sign-up whose email (%s) is known to Cognito', async (_case, stored) => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('existing', stored, 'UNCONFIRMED')] });
      const event = cloneEvent('preSignUp');
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(new SignUpRejectedError('duplicate', DUPLICATE_EMAIL_MESSAGE));
    });

    it('rejects a sign-up whose email is on a profile (EmailIndex) only, once Cognito confirms its user', async () => {
      // Prepare: ListUsers missed the user (e.g. stored under another spelling), AdminGetUser finds it
      ddbMock
        .on(QueryCommand)
        .resolves({ Items: [{ userId: 'u1', cognitoUsername: 'u1', email: 'alice@example.com' }] });
      cognitoMock.on(AdminGetUserCommand, { Username: 'u1' }).resolves({
        Username: 'u1',
        UserStatus: 'CONFIRMED',
        UserAttributes: [{ Name: 'email', Value: 'ALICE@example.com' }],
      });
      const event = cloneEvent('preSignUp');
      event.request.userAttributes.email = 'Alice@EXAMPLE.com';
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
      expect(cognitoMock.commandCalls(AdminGetUserCommand)[0]?.args[0].input).toEqual({
        UserPoolId: 'us-east-1_Example01',
        Username: 'u1',
      });
    });

    it.each([
      ['its Cognito user was deleted', () => cognitoMock.on(AdminGetUserCommand).rejects(userNotFound())],
      [
        'its Cognito user changed email',
        () =>
          cognitoMock.on(AdminGetUserCommand).resolves({
            Username: 'u1',
            UserStatus: 'CONFIRMED',
            UserAttributes: [{ Name: 'email', Value: 'alice.new@example.com' }],
          }),
      ],
    ])('allows the address of a profile whose user is gone: %s', async (_case, cognitoSays) => {
      // Prepare
      ddbMock
        .on(QueryCommand)
        .resolves({ Items: [{ userId: 'u1', cognitoUsername: 'u1', email: 'alice@example.com' }] });
      cognitoSays();
      // Act
      const result = await handlerWith()(cloneEvent('preSignUp'));
      // Assess
      expect(result.response).toEqual({ autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false });
    });

    it('allows the address of a profile whose account deletion is in progress, without asking Cognito', async () => {
      // Prepare
      ddbMock.on(QueryCommand).resolves({
        Items: [
          {
            userId: 'u1',
            cognitoUsername: 'u1',
            email: 'alice@example.com',
            deletion: { requestedAt: '2026-01-01T00:00:00Z', trigger: 'user' },
          },
        ],
      });
      // Act
      await handlerWith()(cloneEvent('preSignUp'));
      // Assess
      expect(cognitoMock.commandCalls(AdminGetUserCommand)).toEqual([]);
    });

    it('keeps a profile match when Cognito cannot confirm its user (a match wins; the retry decides)', async () => {
      // Prepare
      ddbMock
        .on(QueryCommand)
        .resolves({ Items: [{ userId: 'u1', cognitoUsername: 'u1', email: 'alice@example.com' }] });
      cognitoMock
        .on(AdminGetUserCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
      // Act / Assess
      await expect(handlerWith()(cloneEvent('preSignUp'))).rejects.toThrow(
        new SignUpRejectedError('duplicate', DUPLICATE_EMAIL_MESSAGE),
      );
    });

    it.each([
      ['quoted local part', '"alice"@bücher.de'],
      ['punycode domain', 'alice@xn--bcher-kva.de'],
      ['both, upper-case', '"ALICE"@XN--BCHER-KVA.DE'],
    ])('rejects a sign-up spelling an existing IDN address another way (%s)', async (_case, signUpEmail) => {
      // Prepare: the existing user signed up as alice@bücher.de
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('existing', 'alice@bücher.de', 'UNCONFIRMED')] });
      const event = cloneEvent('preSignUp');
      event.request.userAttributes.email = signUpEmail;
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(new SignUpRejectedError('duplicate', DUPLICATE_EMAIL_MESSAGE));
      expect(cognitoMock.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Filter)).toContain(
        'email = "alice@bücher.de"',
      );
    });

    it('finds a profile stored under the punycode or quoted spelling (one EmailIndex query per spelling)', async () => {
      // Prepare: a profile written before normalisation knew IDNA and quoting
      ddbMock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => ({
        Items:
          input.ExpressionAttributeValues[':v'] === '"alice"@xn--bcher-kva.de'
            ? [{ userId: 'u1', cognitoUsername: 'u1', email: '"alice"@xn--bcher-kva.de' }]
            : [],
      }));
      cognitoMock.on(AdminGetUserCommand).resolves({
        Username: 'u1',
        UserStatus: 'CONFIRMED',
        UserAttributes: [{ Name: 'email', Value: 'alice@xn--bcher-kva.de' }],
      });
      const event = cloneEvent('preSignUp');
      event.request.userAttributes.email = 'Alice@Bücher.de';
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
      expect(ddbMock.commandCalls(QueryCommand).map((call) => call.args[0].input.ExpressionAttributeValues)).toEqual([
        { ':v': 'alice@bücher.de' },
        { ':v': 'alice@xn--bcher-kva.de' },
        { ':v': '"alice"@bücher.de' },
        { ':v': '"alice"@xn--bcher-kva.de' },
      ]);
    });

    it('rejects PreSignUp_AdminCreateUser duplicates too', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('existing', 'alice@example.com')] });
      const event = { ...cloneEvent('preSignUp'), triggerSource: 'PreSignUp_AdminCreateUser' };
      event.callerContext.clientId = null as unknown as string;
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
    });

    it('ignores users with other emails that ListUsers returns anyway (cognito-local ignores the filter)', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({
        Users: [cognitoUser('bob', 'bob@example.com'), cognitoUser('alice2', 'alice@example.org')],
      });
      // Act
      const result = await handlerWith()(cloneEvent('preSignUp'));
      // Assess
      expect(result.triggerSource).toBe('PreSignUp_SignUp');
    });

    it('follows ListUsers pages to find a duplicate on a later page', async () => {
      // Prepare
      cognitoMock
        .on(ListUsersCommand)
        .resolvesOnce({ Users: [cognitoUser('bob', 'bob@example.com')], PaginationToken: 'p2' })
        .resolvesOnce({ Users: [cognitoUser('alice', 'alice@example.com')] });
      // Act / Assess
      await expect(handlerWith()(cloneEvent('preSignUp'))).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
      expect(cognitoMock.commandCalls(ListUsersCommand)[1]?.args[0].input.PaginationToken).toBe('p2');
    });

    it('fails closed when a lookup fails', async () => {
      // Prepare
      cognitoMock
        .on(ListUsersCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));
      // Act / Assess
      await expect(handlerWith()(cloneEvent('preSignUp'))).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
    });

    it('fails closed when the profile index lookup fails', async () => {
      // Prepare
      ddbMock.on(QueryCommand).rejects(new Error('ProvisionedThroughputExceeded'));
      // Act / Assess
      await expect(handlerWith()(cloneEvent('preSignUp'))).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
    });

    it('fails open when configured to', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).rejects(new Error('down'));
      ddbMock.on(QueryCommand).rejects(new Error('down'));
      // Act
      const result = await handlerWith(true)(cloneEvent('preSignUp'));
      // Assess
      expect(result.response.autoConfirmUser).toBe(false);
    });

    it('still rejects a duplicate found by one lookup while the other lookup fails, even failing open', async () => {
      // Prepare: the DynamoDB failure is caught (fail open), the Cognito duplicate must still reject.
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('existing', 'alice@example.com')] });
      ddbMock.on(QueryCommand).rejects(new Error('down'));
      // Act
      const outcome = await handlerWith(true)(cloneEvent('preSignUp')).then(
        () => 'allowed',
        (error: unknown) => error,
      );
      // Assess: the very error object reaches the caller (Lambda runtime -> Cognito), with the user-facing text.
      expect(outcome).toBeInstanceOf(SignUpRejectedError);
      expect((outcome as Error).message).toBe(DUPLICATE_EMAIL_MESSAGE);
    });

    it('rejects an invalid or missing email with a clear message and no lookup', async () => {
      // Prepare
      const event = cloneEvent('preSignUp');
      event.request.userAttributes.email = 'not-an-email';
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(INVALID_EMAIL_MESSAGE);
      expect(cognitoMock.commandCalls(ListUsersCommand)).toHaveLength(0);
    });
  });

  describe('PreSignUp_ExternalProvider', () => {
    it('links the identity to the native user with the verified email and returns the event', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('native-1', 'Alice@example.com')] });
      cognitoMock.on(AdminLinkProviderForUserCommand).resolves({});
      // Act
      const result = await handlerWith()(cloneEvent('preSignUpExternal'));
      // Assess
      expect(linkCalls()).toEqual([
        {
          UserPoolId: 'us-east-1_Example01',
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'native-1' },
          SourceUser: {
            ProviderName: 'Google',
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: '108475309371254389765',
          },
        },
      ]);
      expect(result.userName).toBe('Google_108475309371254389765');
    });

    it.each([
      ['SignInWithApple_000123.abcdef.0456', 'SignInWithApple', '000123.abcdef.0456'],
      ['facebook_10223', 'Facebook', '10223'],
      ['MyOidc_sub_with_underscores', 'MyOidc', 'sub_with_underscores'],
      ['CorpSAML_jane@corp.example', 'CorpSAML', 'jane@corp.example'],
    ])('parses %s into provider %s and id %s', async (userName, providerName, providerUserId) => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('native-1', 'alice@example.com')] });
      const event = { ...cloneEvent('preSignUpExternal'), userName };
      // Act
      await handlerWith()(event);
      // Assess
      expect(linkCalls()[0]?.SourceUser).toEqual({
        ProviderName: providerName,
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: providerUserId,
      });
    });

    it('links to the oldest confirmed native user, never to an unconfirmed or federated one', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({
        Users: [
          cognitoUser('Facebook_1', 'alice@example.com', 'EXTERNAL_PROVIDER', '2025-01-01T00:00:00Z'),
          cognitoUser('unconfirmed', 'alice@example.com', 'UNCONFIRMED', '2025-02-01T00:00:00Z'),
          cognitoUser('newer', 'alice@example.com', 'CONFIRMED', '2026-03-01T00:00:00Z'),
          cognitoUser('older', 'alice@example.com', 'CONFIRMED', '2026-02-01T00:00:00Z'),
        ],
      });
      // Act
      await handlerWith()(cloneEvent('preSignUpExternal'));
      // Assess
      expect(linkCalls().map((input) => input.DestinationUser?.ProviderAttributeValue)).toEqual(['older']);
    });

    it('rejects (no link) when the provider does not vouch for the email and a native user has it', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('native-1', 'alice@example.com')] });
      const event = cloneEvent('preSignUpExternal');
      event.request.userAttributes.email_verified = 'false';
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
      expect(linkCalls()).toHaveLength(0);
    });

    it('rejects (no link) when the only native user is unconfirmed', async () => {
      // Prepare
      cognitoMock
        .on(ListUsersCommand)
        .resolves({ Users: [cognitoUser('native-1', 'alice@example.com', 'UNCONFIRMED')] });
      // Act / Assess
      await expect(handlerWith()(cloneEvent('preSignUpExternal'))).rejects.toThrow(DUPLICATE_EMAIL_MESSAGE);
      expect(linkCalls()).toHaveLength(0);
    });

    it('fails with the temporary message when linking fails, even when failing open', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).resolves({ Users: [cognitoUser('native-1', 'alice@example.com')] });
      cognitoMock.on(AdminLinkProviderForUserCommand).rejects(new Error('InternalErrorException'));
      // Act / Assess
      await expect(handlerWith(true)(cloneEvent('preSignUpExternal'))).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
    });

    it('allows a new federated user, confirming and verifying when the provider vouches', async () => {
      // Act
      const result = await handlerWith()(cloneEvent('preSignUpExternal'));
      // Assess
      expect(result.response).toEqual({ autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false });
      expect(linkCalls()).toHaveLength(0);
      expect(ddbMock.commandCalls(QueryCommand)).toHaveLength(0);
    });

    it('allows a federated user whose email is not vouched for without verifying it', async () => {
      // Prepare
      const event = cloneEvent('preSignUpExternal');
      delete (event.request.userAttributes as Record<string, string | undefined>).email_verified;
      // Act
      const result = await handlerWith()(event);
      // Assess
      expect(result.response).toEqual({ autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false });
    });

    it('allows a federated user without email (nothing to compare)', async () => {
      // Prepare
      const event = cloneEvent('preSignUpExternal');
      delete (event.request.userAttributes as Record<string, string | undefined>).email;
      // Act
      const result = await handlerWith()(event);
      // Assess
      expect(result.response.autoVerifyEmail).toBe(false);
      expect(cognitoMock.commandCalls(ListUsersCommand)).toHaveLength(0);
    });

    it('fails closed when the Cognito lookup fails, open when configured', async () => {
      // Prepare
      cognitoMock.on(ListUsersCommand).rejects(new Error('down'));
      // Act / Assess
      await expect(handlerWith()(cloneEvent('preSignUpExternal'))).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
      await expect(handlerWith(true)(cloneEvent('preSignUpExternal'))).resolves.toMatchObject({
        response: { autoConfirmUser: true },
      });
    });

    it('rejects a federated userName without provider prefix as malformed', async () => {
      // Prepare
      const event = { ...cloneEvent('preSignUpExternal'), userName: 'noprefix' };
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toBeInstanceOf(InvalidInputError);
    });
  });

  describe('malformed events', () => {
    it.each([
      ['not an object', 'hello', /Malformed Pre-Signup trigger event/],
      ['unknown trigger source', { ...cloneEvent('preSignUp'), triggerSource: 'PreSignUp_Other' }, /triggerSource/],
      ['no user pool', { ...cloneEvent('preSignUp'), userPoolId: '' }, /userPoolId/],
      ['no request', { ...cloneEvent('preSignUp'), request: undefined }, /request/],
      [
        'non-string attribute',
        { ...cloneEvent('preSignUp'), request: { userAttributes: { email: 42 } } },
        /request\.userAttributes\.email/,
      ],
    ])('%s -> a clear InvalidInputError and no lookup', async (_case, event, message) => {
      // Act / Assess
      await expect(handlerWith()(event)).rejects.toThrow(message);
      await expect(handlerWith()(event)).rejects.toBeInstanceOf(InvalidInputError);
      expect(cognitoMock.commandCalls(ListUsersCommand)).toHaveLength(0);
      expect(ddbMock.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });

  describe('environment', () => {
    it('defaults to failing closed and accepts PRE_SIGNUP_FAIL_OPEN=true', () => {
      expect(parseEnv(preSignUpEnvSchema, { USER_PROFILES_TABLE: 't' }).PRE_SIGNUP_FAIL_OPEN).toBe(false);
      expect(parseEnv(preSignUpEnvSchema, { USER_PROFILES_TABLE: 't', PRE_SIGNUP_FAIL_OPEN: 'true' })).toMatchObject({
        PRE_SIGNUP_FAIL_OPEN: true,
      });
      expect(() => parseEnv(preSignUpEnvSchema, { USER_PROFILES_TABLE: 't', PRE_SIGNUP_FAIL_OPEN: 'yes' })).toThrow(
        ConfigError,
      );
    });

    it('fails loudly at first invocation when the table variable is missing', async () => {
      await expect(async () => handlerFromEnv({})(cloneEvent('preSignUp'))).rejects.toThrow(/USER_PROFILES_TABLE/);
    });
  });
});
