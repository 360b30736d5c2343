import { AdminUpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { signedUpUser, uniqueEmail } from '../shipped/support';
import { call, useStack } from './support';

/**
 * An email change in Cognito (issue 16) through the local stack: the old address is free for a new sign-up at once
 * (Pre-Signup asks Cognito whether the profile's user still has it), and reconcile moves the profile to the new one.
 */
const worldOf = useStack();

describe('a user changes their email in Cognito', () => {
  it('frees the old address for a new sign-up at once; reconcile updates the profile', async () => {
    // Prepare
    const { stack } = worldOf();
    const oldEmail = uniqueEmail('email-before');
    const newEmail = uniqueEmail('email-after');
    const user = await signedUpUser(stack, oldEmail);
    const operator = await signedUpUser(stack, uniqueEmail('email-operator'), { admin: true });
    await stack.backend.cognitoClient.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.info.userPoolId,
        Username: user.sub,
        UserAttributes: [
          { Name: 'email', Value: newEmail },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    const profileOf = async (sub: string) =>
      (
        await stack.backend.ddb.send(
          new GetCommand({ TableName: stack.info.tables.userProfiles, Key: { userId: sub } }),
        )
      ).Item;

    // Act
    const newcomer = await signedUpUser(stack, oldEmail);
    const dryRun = await call(stack, 'GET', `/admin/sync-health?user=${user.sub}`, operator.idToken);
    const repaired = await call(stack, 'POST', '/admin/reconcile', operator.idToken, { apply: true, user: user.sub });

    // Assess
    expect(newcomer.sub).not.toBe(user.sub);
    expect(await profileOf(newcomer.sub)).toMatchObject({ email: oldEmail });
    expect(dryRun.body).toMatchObject({ report: { findings: [{ kind: 'profile-email-changed' }] } });
    expect(repaired.status).toBe(200);
    expect(await profileOf(user.sub)).toMatchObject({ email: newEmail });
  });
});
