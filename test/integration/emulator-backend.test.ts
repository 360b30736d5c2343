import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TRIGGER_FUNCTIONS } from '../../local/backend';
import { uniqueEmail, useEmulatorBackend } from '../support/backend';

describe('emulator backend (dynalite + cognito-local + Lambda-invoke endpoint)', () => {
  const backend = useEmulatorBackend();

  it('creates every table with its keys so items round-trip', async () => {
    const { ddb, tables } = backend();
    await ddb.send(new PutCommand({ TableName: tables.userProfiles, Item: { userId: 'u1', email: 'a@example.com' } }));
    const read = await ddb.send(new GetCommand({ TableName: tables.userProfiles, Key: { userId: 'u1' } }));
    expect(read.Item?.email).toBe('a@example.com');
  });

  it('creates the catalog groups and admins with precedence', async () => {
    const { cognitoClient, userPool } = backend();
    const groups = await cognitoClient.send(new ListGroupsCommand({ UserPoolId: userPool.userPoolId }));
    const byName = Object.fromEntries((groups.Groups ?? []).map((g) => [g.GroupName, g.Precedence]));
    expect(byName).toMatchObject({ free: 50, trial: 45, starter: 40, pro: 30, business: 25, enterprise: 3, admins: 1 });
  });

  it('calls the registered triggers through the Lambda-invoke endpoint and honours a rejection', async () => {
    const { cognitoClient, userPool, functions } = backend();
    const seen: string[] = [];
    functions.set(TRIGGER_FUNCTIONS.PreSignUp, async (event) => {
      const e = event as { triggerSource: string; request: { userAttributes: { email: string } } };
      seen.push(e.triggerSource);
      if (e.request.userAttributes.email.startsWith('blocked')) throw new Error('No sign-ups for you');
      return event;
    });
    functions.set(TRIGGER_FUNCTIONS.PostConfirmation, async (event) => {
      seen.push((event as { triggerSource: string }).triggerSource);
      return event;
    });

    const email = uniqueEmail();
    await cognitoClient.send(
      new SignUpCommand({ ClientId: userPool.userPoolClientId, Username: email, Password: 'Correct-horse-9!' }),
    );
    await cognitoClient.send(new AdminConfirmSignUpCommand({ UserPoolId: userPool.userPoolId, Username: email }));
    const user = await cognitoClient.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(seen).toEqual(['PreSignUp_SignUp', 'PostConfirmation_ConfirmSignUp']);

    const auth = await cognitoClient.send(
      new InitiateAuthCommand({
        ClientId: userPool.userPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: 'Correct-horse-9!' },
      }),
    );
    expect(auth.AuthenticationResult?.IdToken).toBeTruthy();

    await expect(
      cognitoClient.send(
        new SignUpCommand({
          ClientId: userPool.userPoolClientId,
          Username: uniqueEmail('blocked'),
          Password: 'Correct-horse-9!',
        }),
      ),
    ).rejects.toThrow(/No sign-ups for you/);
  });
});
