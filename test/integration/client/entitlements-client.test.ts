import { beforeAll, describe, expect, it } from 'vitest';
import { createEntitlementsClient, type EntitlementsApiError } from '../../../client/entitlements-client';
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

  it('without a token: unauthorized from the gateway', async () => {
    // Prepare
    const client = createEntitlementsClient({ baseUrl: stack.info.apiUrl, getToken: () => undefined });

    // Act
    const error = await failure(client.status());

    // Assess
    expect(error).toMatchObject({ status: 401 });
  });
});
