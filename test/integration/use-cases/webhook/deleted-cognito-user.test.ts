import { AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import { CognitoGroupGateway } from '../../../../lambdas/adapters/cognito/cognito-groups';
import { CognitoUserMissingError } from '../../../../lambdas/domain/errors';
import { signedRequest, stripeEvent, subscriptionObject } from '../../../fixtures/stripe/builders';
import { useEmulatorBackend } from '../../../support/backend';
import { useLogCapture } from '../../../support/logs';
import { useWebhookHandler } from './support';

/**
 * Issue 15 item 8: the Cognito account is gone (an operator deleted it) while its profile and Stripe subscription
 * live on. Its events are applied to the records and answered 200; the group change is skipped with a WARN (the
 * GroupChangesForMissingUsers metric), never a 500 that Stripe would retry for 3 days.
 */
describe('webhook events for a deleted Cognito user, against dynalite + cognito-local', () => {
  const backend = useEmulatorBackend({ triggers: false });
  const { handle, newUser, record } = useWebhookHandler(backend, 'gone-user');
  const logs = useLogCapture();
  const now = () => Math.floor(Date.now() / 1000);

  async function deleteInCognito(username: string) {
    const { cognitoClient, userPool } = backend();
    await cognitoClient.send(new AdminDeleteUserCommand({ UserPoolId: userPool.userPoolId, Username: username }));
  }

  it('the group gateway tells a missing user apart (UserNotFoundException -> CognitoUserMissingError)', async () => {
    const { cognitoClient, userPool } = backend();
    const user = await newUser();
    await deleteInCognito(user.username);
    const gateway = new CognitoGroupGateway(cognitoClient, userPool.userPoolId);

    await expect(gateway.addUserToGroup(user.username, 'pro')).rejects.toThrow(CognitoUserMissingError);
    await expect(gateway.removeUserFromGroup(user.username, 'free')).rejects.toThrow(CognitoUserMissingError);
    await expect(gateway.listGroupsForUser(user.username)).rejects.toThrow(CognitoUserMissingError);
  });

  it('applies the event to the record, answers 200, skips the group change with a WARN, and a redelivery is 200', async () => {
    // Prepare
    const user = await newUser();
    await deleteInCognito(user.username);
    const event = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({
        customer: user.customerId,
        userSub: user.sub,
        lookupKey: 'pro_monthly',
        periodStart: now() - 86_400,
      }),
      { created: now() - 10 },
    );

    // Act
    const first = await handle(signedRequest(event));
    const again = await handle(signedRequest(event));

    // Assess
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    const stored = await record(user.sub);
    expect(stored).toMatchObject({ plan: 'pro', entitled: true, groups: ['pro'], lastEventId: event.id });
    expect(stored?.cognitoGroups).not.toContain('pro');
    expect(logs.warnings()).toContain('Cognito user not found; group change skipped');
    expect(logs.lines.find((line) => line.message === 'Cognito user not found; group change skipped')).toMatchObject({
      sub: user.sub,
      username: user.username,
      desiredGroups: ['pro'],
    });
    expect(logs.errors()).toEqual([]);
  });
});
