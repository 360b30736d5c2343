import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory, escapeFilterValue } from '../../../../lambdas/adapters/cognito/cognito-users';
import { DependencyUnavailableError } from '../../../../lambdas/domain/errors';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const directory = new CognitoUserDirectory(new CognitoIdentityProviderClient({ region: 'us-east-1' }), 'pool-1');

function user(username: string, email?: string): UserType {
  return {
    Username: username,
    UserStatus: 'CONFIRMED',
    Enabled: true,
    Attributes: [{ Name: 'sub', Value: `${username}-sub` }, ...(email ? [{ Name: 'email', Value: email }] : [])],
  };
}

describe('CognitoUserDirectory', () => {
  beforeEach(() => cognitoMock.reset());

  it('listAllUsers yields every user across pages, 60 per page', async () => {
    // Prepare
    cognitoMock
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [user('a', 'A@x.com'), user('b')], PaginationToken: 't1' })
      .resolvesOnce({ Users: [user('c', 'c@x.com')] });
    // Act
    const seen = [];
    for await (const u of directory.listAllUsers()) seen.push(u);
    // Assess
    expect(seen.map((u) => [u.username, u.sub, u.email])).toEqual([
      ['a', 'a-sub', 'a@x.com'],
      ['b', 'b-sub', undefined],
      ['c', 'c-sub', 'c@x.com'],
    ]);
    const inputs = cognitoMock.commandCalls(ListUsersCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { UserPoolId: 'pool-1', Limit: 60 },
      { UserPoolId: 'pool-1', Limit: 60, PaginationToken: 't1' },
    ]);
  });

  it('listAllUsers lets the caller stop early without fetching further pages', async () => {
    // Prepare
    cognitoMock.on(ListUsersCommand).resolves({ Users: [user('a'), user('b')], PaginationToken: 'more' });
    // Act
    for await (const u of directory.listAllUsers({ pageSize: 2 })) if (u.username === 'a') break;
    // Assess
    expect(cognitoMock.commandCalls(ListUsersCommand)).toHaveLength(1);
  });

  it('findByEmail asks with the normalised and the raw address and keeps only real matches', async () => {
    // Prepare
    cognitoMock.on(ListUsersCommand).resolves({ Users: [user('a', 'Alice@X.com'), user('b', 'bob@x.com')] });
    // Act
    const found = await directory.findByEmail(' Alice@X.com');
    // Assess
    expect(found.map((u) => u.username)).toEqual(['a']);
    expect(cognitoMock.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Filter)).toEqual([
      'email = "alice@x.com"',
      'email = "Alice@X.com"',
    ]);
  });

  it('findByEmail also asks with the punycode form of an internationalised domain', async () => {
    // Prepare
    cognitoMock
      .on(ListUsersCommand)
      .resolves({ Users: [user('a', 'alice@xn--bcher-kva.de'), user('b', 'alice@bucher.de')] });
    // Act
    const found = await directory.findByEmail('"Alice"@Bücher.de');
    // Assess
    expect(found.map((u) => u.username)).toEqual(['a']);
    expect(found[0]?.email).toBe('alice@bücher.de');
    expect(cognitoMock.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Filter)).toEqual([
      'email = "alice@bücher.de"',
      'email = "alice@xn--bcher-kva.de"',
      'email = "\\"Alice\\"@Bücher.de"',
    ]);
  });

  it('escapes quotes and backslashes in filter values', () => {
    expect(escapeFilterValue('a"b\\c@x.com')).toBe('a\\"b\\\\c@x.com');
  });

  it('translates SDK failures to DependencyUnavailableError', async () => {
    // Prepare
    cognitoMock.on(ListUsersCommand).rejects(new Error('throttled'));
    // Act / Assess
    await expect(directory.findByEmail('a@x.com')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('get returns the user, or undefined when Cognito does not know it', async () => {
    // Prepare
    cognitoMock.on(AdminGetUserCommand, { Username: 'a' }).resolves({
      Username: 'a',
      UserStatus: 'CONFIRMED',
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
    });
    cognitoMock
      .on(AdminGetUserCommand, { Username: 'ghost' })
      .rejects(Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' }));
    // Act
    const found = await directory.get('a');
    const missing = await directory.get('ghost');
    // Assess
    expect(found).toMatchObject({ username: 'a', status: 'CONFIRMED', emailVerified: true });
    expect(missing).toBeUndefined();
  });
});
