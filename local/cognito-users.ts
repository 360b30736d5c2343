import { AdminCreateUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export interface CreatedUser {
  sub: string;
  username: string;
  email: string;
}

/**
 * Creates a user with a verified email directly (AdminCreateUser, no invitation message): the quick way for tests,
 * benchmarks and seeding to get a real Cognito user without the sign-up flow. With email sign-in the username is
 * the sub on cognito-local.
 */
export async function createVerifiedUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<CreatedUser> {
  const created = await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: email,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  const username = created.User?.Username ?? email;
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value ?? username;
  return { sub, username, email };
}

/** The event Cognito sends Post-Confirmation after a sign-up is confirmed, for invoking the handler directly. */
export function postConfirmationEvent(pool: { userPoolId: string; userPoolClientId: string }, user: CreatedUser) {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: pool.userPoolId,
    userName: user.username,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: pool.userPoolClientId },
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    request: { userAttributes: { sub: user.sub, email: user.email, email_verified: 'true' } },
    response: {},
  };
}
