import { beforeAll, describe, expect, it } from 'vitest';
import { createEntitlementsClient, type EntitlementsApiError } from '../../../client/entitlements-client';
import { deleteAccountResponseSchema } from '../../../lambdas/platform/account-schemas';
import { overrideResponseSchema } from '../../../lambdas/platform/admin-schemas';
import type { LocalStack } from '../../../local/stack';
import { signedInAgain, signedUpUser, uniqueEmail } from '../../shipped/support';
import { useLocalStack } from '../../support/local-stack';

/** The typed client (client/) against the local stack: every frontend route, its errors, and a token refresh. */
const started = useLocalStack('client');
let stack: LocalStack;
beforeAll(() => {
  stack = started().stack;
});

async function userClient(tag: string) {
  const email = uniqueEmail(tag);
  const user = await signedUpUser(stack, email);
  const session = { token: user.idToken, refreshes: 0 };
  const client = createEntitlementsClient({
    baseUrl: stack.info.apiUrl,
    getToken: () => session.token,
    onRefreshTokens: async () => {
      session.refreshes += 1;
      session.token = await signedInAgain(stack, email);
    },
  });
  return { client, session, user };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as EntitlementsApiError,
  );

describe('typed client against the local stack', () => {
  it('status -> trial (asks for a token refresh) -> the gated route opens with the refreshed token', async () => {
    // Prepare
    const { client, session } = await userClient('client-trial');

    // Act
    const initial = await client.status();
    const reportsBefore = await failure(client.get('/example/reports'));
    const trial = await client.startTrial();
    const reports = await client.get<{ plan: string }>('/example/reports');
    const again = await failure(client.startTrial());

    // Assess
    expect(initial).toMatchObject({
      status: 'none',
      plan: 'free',
      entitled: false,
      refreshTokens: false,
      credits: { balance: 0 },
    });
    expect(reportsBefore).toMatchObject({ status: 403, code: 'forbidden' });
    expect(trial).toMatchObject({ status: 'trialing', plan: 'trial', refreshTokens: true });
    expect(session.refreshes).toBe(1);
    expect(reports.plan).toBe('trial');
    expect(again).toMatchObject({ status: 409, code: 'trial_already_used' });
  });

  it('checkout gives a Stripe URL and the portal opens (sign-up created the customer); bad input and gated routes fail with typed errors', async () => {
    // Prepare
    const { client } = await userClient('client-checkout');

    // Act
    const badPlan = await failure(client.checkout({ plan: 'gold' as 'pro', interval: 'month' }));
    const session = await client.checkout({ plan: 'pro', interval: 'month' });
    const portal = await client.portal({});
    const team = await failure(client.get('/example/team'));

    // Assess
    expect(badPlan).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(session.id).toMatch(/^cs_/);
    expect(session.url).toMatch(/^http/);
    expect(portal.url).toMatch(/^http/);
    expect(team).toMatchObject({ status: 403, code: 'feature_not_in_plan' });
    expect(team?.feature).toMatchObject({ requiredFeature: 'team-management', requiredPlan: 'business' });
  });

  it('deleteAccount deletes the account (a fresh sign-in), answers the same again, and the old token reads account_deleted', async () => {
    // Prepare
    const { client } = await userClient('client-delete');

    // Act
    const deleted = await client.deleteAccount();
    const repeated = await client.deleteAccount();
    const status = await failure(client.status());

    // Assess
    expect(deleted).toMatchObject({ deleted: true, subscriptions: 'cancel-now', customer: 'delete' });
    expect(repeated).toEqual(deleted);
    expect(deleteAccountResponseSchema.safeParse(deleted).error).toBeUndefined(); // the documented shape
    expect(status).toMatchObject({ status: 404, code: 'account_deleted' });
  });

  it('grantOverride/revokeOverride: an operator in admins changes the plan; anyone else gets forbidden', async () => {
    // Prepare
    const { client: userApi, user } = await userClient('client-override-user');
    const operator = await signedUpUser(stack, uniqueEmail('client-operator'), { admin: true });
    const admin = createEntitlementsClient({ baseUrl: stack.info.apiUrl, getToken: () => operator.idToken });

    // Act
    const notAdmin = await failure(userApi.grantOverride({ sub: user.sub, plan: 'pro', reason: 'self-service' }));
    const granted = await admin.grantOverride({ sub: user.sub, plan: 'business', reason: 'support gesture' });
    const during = await userApi.status();
    const missingReason = await failure(admin.grantOverride({ sub: user.sub, plan: 'pro' }));
    const revoked = await admin.revokeOverride({ sub: user.sub, reason: 'gesture over' });
    const after = await userApi.status();

    // Assess
    expect(notAdmin).toMatchObject({ status: 403, code: 'forbidden' });
    expect(granted).toMatchObject({
      sub: user.sub,
      changed: true,
      override: { plan: 'business', endsAt: null, reason: 'support gesture', operator: { sub: operator.sub } },
      status: { plan: 'business', source: 'override' },
    });
    expect([granted, revoked].map((answer) => overrideResponseSchema.safeParse(answer).error)).toEqual([
      undefined,
      undefined,
    ]); // the documented shape
    expect(during).toMatchObject({ plan: 'business', source: 'override', entitled: true });
    expect(missingReason).toMatchObject({ status: 400, code: 'reason_required' });
    expect(revoked).toMatchObject({ changed: true, override: null, status: { plan: 'free', source: 'free' } });
    expect(after).toMatchObject({ plan: 'free', source: 'free', entitled: false });
  });

  it('without a token: unauthorized from the gateway', async () => {
    // Prepare
    const client = createEntitlementsClient({ baseUrl: stack.info.apiUrl, getToken: () => undefined });

    // Act
    const error = await failure(client.status());

    // Assess
    expect(error).toMatchObject({ status: 401 });
  });
});
