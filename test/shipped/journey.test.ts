import { AdminDeleteUserCommand, AdminListGroupsForUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import Stripe from 'stripe';
import { describe, expect, it, vi } from 'vitest';
import { formatDenials } from '../../local/aws/aws-proxy';
import { unusedGrants } from '../../local/aws/iam-policy';
import { runJourney } from '../../local/journey';
import { runSchedules } from '../../local/shipped/invokers';
import { call, signedInAgain, signedUpUser, uniqueEmail, useShippedStack } from './support';
import { UNEXERCISED_GRANTS } from './unexercised-grants';

/**
 * The shipped-artifact tier: every step runs the bundles `cdk synth` produced, each with only its template's
 * environment, every AWS call checked against its role's statements from the template (AccessDenied otherwise),
 * the Stripe secrets read from a local Secrets Manager as in AWS.
 */
const world = useShippedStack();

/** A signed delivery of an event for a customer nobody knows: the webhook parks it and records it in the ledger. */
function signedStrangerEvent(secret: string, id: string) {
  const payload = JSON.stringify({
    id,
    object: 'event',
    type: 'customer.subscription.updated',
    api_version: '2026-10-28.dahlia',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `sub_${id}`,
        object: 'subscription',
        customer: `cus_${id}`,
        status: 'active',
        cancel_at_period_end: false,
        created: Math.floor(Date.now() / 1000) - 60,
        metadata: {},
        items: { object: 'list', data: [] },
      },
    },
  });
  const signature = new Stripe('sk_test_signing').webhooks.generateTestHeaderString({ payload, secret });
  return { payload, signature };
}

async function deliver(secret: string, id: string) {
  const { payload, signature } = signedStrangerEvent(secret, id);
  const response = await fetch(`${world().stack.info.apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const webhookSecretArn = () => {
  const secret = world().stack.shipped?.app.secrets.find((s) => s.logicalId.startsWith('StripeWebhookSigningSecret'));
  if (!secret) throw new Error('no webhook signing secret in the templates');
  return secret.arn;
};

describe('shipped artifacts: secrets that recover', () => {
  it('a failed first secret read answers 500 (Stripe retries), the next delivery succeeds in the same container', async () => {
    // Prepare
    const { stack } = world();
    const shipped = stack.shipped;
    if (!shipped) throw new Error('not shipped');
    shipped.secrets.failNext(webhookSecretArn(), 100); // an outage longer than the SDK's own retries

    // Act
    const first = await deliver(stack.info.webhookSecret, 'evt_secret_outage_1');
    shipped.secrets.recover(webhookSecretArn());
    const coldStartsBefore = shipped.byName('StripeWebhook').coldStarts;
    const second = await deliver(stack.info.webhookSecret, 'evt_secret_outage_2');

    // Assess
    expect(first.status).toBe(500);
    expect(second.status).toBe(200);
    expect(shipped.byName('StripeWebhook').coldStarts).toBe(coldStartsBefore);
    expect(first.body).toMatchObject({ error: { code: 'dependency_unavailable' } });
    // A worker's log line reaches us through its stdout stream, possibly after the HTTP answer: wait for it.
    await vi.waitFor(() =>
      expect(world().errorLogs()).toContainEqual({
        fn: 'StripeWebhook',
        message: 'Stripe webhook delivery failed; Stripe will retry',
      }),
    );
  });

  it('a placeholder secret answers 503 naming it; once set, the next delivery is applied', async () => {
    // Prepare
    const { stack } = world();
    const shipped = stack.shipped;
    if (!shipped) throw new Error('not shipped');
    shipped.secrets.put(webhookSecretArn(), 'Zx81-random-placeholder-from-CloudFormation');
    await shipped.byName('StripeWebhook').recycle(); // a first deploy: no warm container holds a real value

    // Act
    const whilePlaceholder = await deliver(stack.info.webhookSecret, 'evt_placeholder_1');
    shipped.secrets.put(webhookSecretArn(), stack.info.webhookSecret);
    const afterSet = await deliver(stack.info.webhookSecret, 'evt_placeholder_2');

    // Assess
    expect(whilePlaceholder.status).toBe(503);
    expect(JSON.stringify(whilePlaceholder.body)).toContain('STRIPE_WEBHOOK_SECRET_ARN');
    expect(afterSet.status).toBe(200);
  });

  it('a rotated signing secret is picked up on the first delivery signed with it', async () => {
    // Prepare
    const { stack } = world();
    const shipped = stack.shipped;
    if (!shipped) throw new Error('not shipped');
    const rotated = 'whsec_rotated_in_the_dashboard';
    shipped.secrets.put(webhookSecretArn(), rotated);

    // Act
    const response = await deliver(rotated, 'evt_after_rotation');
    shipped.secrets.put(webhookSecretArn(), stack.info.webhookSecret);
    const back = await deliver(stack.info.webhookSecret, 'evt_after_rotation_back');

    // Assess
    expect(response.status).toBe(200);
    expect(back.status).toBe(200);
  });
});

describe('shipped artifacts: the journeys', () => {
  it('sign-up -> status -> checkout -> payment webhook -> status -> cancel, through the bundles', async () => {
    // Act
    const result = await runJourney(world().stack.info, { email: uniqueEmail('shipped') });

    // Assess
    expect(result.stripeCustomerId).toMatch(/^cus_/);
    expect(result.statuses.initial).toMatchObject({ status: 'none', entitled: false });
    expect(result.statuses.afterPayment).toMatchObject({ plan: 'pro', entitled: true });
    expect(result.statuses.final).toMatchObject({ plan: 'free', entitled: false });
  });

  it('portal, trial and the OpenAPI document for a fresh user', async () => {
    // Prepare
    const { stack } = world();
    const user = await signedUpUser(stack, uniqueEmail('portal'));

    // Act
    const status = await call(stack, 'GET', '/subscription/status', user.idToken);
    const portal = await call(stack, 'POST', '/billing/portal-sessions', user.idToken, {});
    const trial = await call(stack, 'POST', '/subscription/trial', user.idToken, {});
    const openApi = await call(stack, 'GET', '/openapi.json');

    // Assess
    expect(status).toMatchObject({ status: 200, body: { status: 'none' } });
    expect(portal.status).toBe(201);
    expect(portal.body.url).toEqual(expect.any(String));
    expect(trial).toMatchObject({ status: 201, body: { plan: 'trial', entitled: true } });
    expect(openApi.status).toBe(200);
  });

  it('a credit pack: checkout, paid through the emulator, credited by the webhook, consumed once per key', async () => {
    // Prepare
    const { stack } = world();
    const user = await signedUpUser(stack, uniqueEmail('credits'));
    const emulator = (method: string, path: string) =>
      fetch(`${stack.info.stripeApiBase}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.info.stripeSecretKey}` },
      });

    // Act
    const session = await call(stack, 'POST', '/checkout/sessions', user.idToken, { pack: 'credits_100' });
    expect((await emulator('POST', new URL(String(session.body.url)).pathname)).status).toBe(200);
    expect((await emulator('POST', '/_emulator/drain')).status).toBe(200);
    const consume = { amount: 30, idempotencyKey: 'shipped-1' };
    const first = await call(stack, 'POST', '/credits/consume', user.idToken, consume);
    const replay = await call(stack, 'POST', '/credits/consume', user.idToken, consume);
    const tooMuch = await call(stack, 'POST', '/credits/consume', user.idToken, { amount: 71, idempotencyKey: 'x' });
    const status = await call(stack, 'GET', '/subscription/status', user.idToken);

    // Assess
    expect(first).toEqual({ status: 200, body: { consumed: 30, balance: 70, replayed: false } });
    expect(replay).toEqual({ status: 200, body: { consumed: 30, balance: 70, replayed: true } });
    expect(tooMuch).toMatchObject({ status: 409, body: { credits: { balance: 70 } } });
    expect(status.body.credits).toEqual({ balance: 70 });
  });

  it('the example routes: the entitlements authorizer and the in-Lambda feature gate', async () => {
    // Prepare
    const { stack } = world();
    const user = await signedUpUser(stack, uniqueEmail('example'));

    // Act
    const denied = await call(stack, 'GET', '/example/reports', user.idToken);
    const team = await call(stack, 'GET', '/example/team', user.idToken);
    await call(stack, 'POST', '/subscription/trial', user.idToken, {});
    const refreshed = await signedInAgain(stack, user.email);
    const allowed = await call(stack, 'GET', '/example/reports', refreshed);

    // Assess
    expect(denied).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(team).toMatchObject({
      status: 403,
      body: { error: { code: 'feature_not_in_plan', requiredPlan: 'business' } },
    });
    expect(allowed).toMatchObject({ status: 200, body: { checkedBy: 'authorizer', plan: 'trial', sub: user.sub } });
  });

  it('admin sync-health and reconcile, then the scheduled reconcile run', async () => {
    // Prepare
    const { stack } = world();
    const admin = await signedUpUser(stack, uniqueEmail('admin'), { admin: true });
    if (!stack.shipped) throw new Error('not shipped');

    // Act
    const health = await call(stack, 'GET', '/admin/sync-health', admin.idToken);
    const dryRun = await call(stack, 'POST', '/admin/reconcile', admin.idToken, { apply: false });
    const [scheduled] = await runSchedules(stack.shipped);

    // Assess
    expect(health.status).toBe(200);
    expect(dryRun.status).toBe(200);
    expect(scheduled).toMatchObject({ status: 'complete' });
  });

  it('operator overrides: a grant through the admin Lambda sets status and groups, a non-admin is refused, the revoke restores them', async () => {
    // Prepare
    const { stack } = world();
    const user = await signedUpUser(stack, uniqueEmail('override-user'));
    const admin = await signedUpUser(stack, uniqueEmail('override-admin'), { admin: true });
    // The handlers run on the Stripe emulator's clock, which earlier steps may have moved.
    const endsAt = new Date(((stack.stripe?.now() ?? Date.now() / 1000) + 7 * 86_400) * 1000).toISOString();
    const groupsOf = async () =>
      (
        await stack.backend.cognitoClient.send(
          new AdminListGroupsForUserCommand({ UserPoolId: stack.info.userPoolId, Username: user.sub }),
        )
      ).Groups?.map((group) => group.GroupName);

    // Act
    const refused = await call(stack, 'POST', '/admin/overrides', user.idToken, {
      sub: user.sub,
      plan: 'enterprise',
      reason: 'self-service',
    });
    const granted = await call(stack, 'POST', '/admin/overrides', admin.idToken, {
      sub: user.sub,
      plan: 'pro',
      endsAt,
      reason: 'support gesture',
    });
    const during = await call(stack, 'GET', '/subscription/status', user.idToken);
    const groupsDuring = await groupsOf();
    const revoked = await call(stack, 'DELETE', `/admin/overrides?sub=${user.sub}&reason=done`, admin.idToken);
    const after = await call(stack, 'GET', '/subscription/status', user.idToken);

    // Assess
    expect(refused.status).toBe(403);
    expect(granted).toMatchObject({
      status: 200,
      body: { changed: true, override: { plan: 'pro', endsAt }, status: { plan: 'pro', source: 'override' } },
    });
    expect(during.body).toMatchObject({ plan: 'pro', source: 'override', overrideEndsAt: endsAt, entitled: true });
    expect(groupsDuring).toEqual(['pro']);
    expect(revoked).toMatchObject({ status: 200, body: { changed: true, override: null, status: { plan: 'free' } } });
    expect(after.body).toMatchObject({ plan: 'free', source: 'free', entitled: false });
    expect(await groupsOf()).toEqual(['free']);
  });

  it('an operator deletes a Cognito user: the email signs up again at once, the admin reconcile removes the orphan', async () => {
    // Prepare
    const { stack } = world();
    const email = uniqueEmail('orphan');
    const old = await signedUpUser(stack, email);
    await stack.backend.cognitoClient.send(
      new AdminDeleteUserCommand({ UserPoolId: stack.info.userPoolId, Username: old.sub }),
    );
    const admin = await signedUpUser(stack, uniqueEmail('orphan-admin'), { admin: true });

    // Act
    const again = await signedUpUser(stack, email);
    const repaired = await call(stack, 'POST', '/admin/reconcile', admin.idToken, { apply: true, user: old.sub });

    // Assess
    expect(again.sub).not.toBe(old.sub);
    expect(repaired.status).toBe(200);
    expect(repaired.body).toMatchObject({
      report: { findings: [{ kind: 'orphaned-profile', repair: 'apply' }], repairs: { applied: 1, failed: 0 } },
    });
  });

  it('DELETE /account: a fresh sign-in deletes the account; the email signs up again', async () => {
    // Prepare
    const { stack } = world();
    const email = uniqueEmail('delete-me');
    const user = await signedUpUser(stack, email);
    expect((await call(stack, 'POST', '/subscription/trial', user.idToken)).status).toBe(201);

    // Act
    const deleted = await call(stack, 'DELETE', '/account', user.idToken);
    const repeated = await call(stack, 'DELETE', '/account', user.idToken);
    await stack.stripe?.drainWebhooks();
    // Stripe delivers at least once: its customer.deleted again, once every row is gone, is ignored (not parked).
    const customerDeleted = stack.stripe
      ?.events()
      .find((event) => event.type === 'customer.deleted' && JSON.stringify(event).includes(user.sub));
    if (!customerDeleted) throw new Error('Stripe sent no customer.deleted for the deleted account');
    const payload = JSON.stringify(customerDeleted);
    const redelivered = await fetch(`${stack.info.apiUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': new Stripe('sk_test_signing').webhooks.generateTestHeaderString({
          payload,
          secret: stack.info.webhookSecret,
        }),
      },
      body: payload,
    });
    const again = await signedUpUser(stack, email);

    // Assess
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true, customer: 'delete' } });
    expect(redelivered.status).toBe(200);
    expect(repeated).toEqual(deleted);
    expect(again.sub).not.toBe(user.sub);
    expect(await call(stack, 'POST', '/subscription/trial', again.idToken)).toMatchObject({
      status: 409,
      body: { error: { code: 'trial_already_used' } },
    });
  });

  it('invoked all 14 functions with no AccessDenied and no unexpected ERROR log', () => {
    // Prepare
    const { stack, errorLogs } = world();
    const shipped = stack.shipped;
    if (!shipped) throw new Error('not shipped');

    // Assess
    expect(formatDenials(shipped.proxy.denials)).toBe('');
    const invocations = Object.fromEntries(
      shipped.app.functions.map((fn) => [fn.name, shipped.byName(fn.name).invocations]),
    );
    expect(Object.keys(invocations)).toHaveLength(14);
    for (const [name, count] of Object.entries(invocations))
      expect({ name, invoked: count > 0 }).toEqual({ name, invoked: true });
    const unexpected = errorLogs().filter(
      (line) =>
        line.message !== 'Stripe webhook delivery failed; Stripe will retry' &&
        line.message !== 'Stripe webhook signing secret is not set; Stripe will retry',
    );
    expect(unexpected).toEqual([]);
  });

  it('reports the grants no journey used', () => {
    // Prepare
    const shipped = world().stack.shipped;
    if (!shipped) throw new Error('not shipped');

    // Act
    const unused = Object.fromEntries(
      shipped.app.functions.map((fn) => [
        fn.name,
        unusedGrants(fn, shipped.proxy.calls)
          .map((grant) => `${grant.action} ${grant.resource.replace(/^arn:aws:[^:]+:[^:]*:\d*:/, '')}`)
          .map((grant) => grant.replace(/userpool\/.*$/, 'userpool'))
          .sort(),
      ]),
    );

    // Assess
    const documented = Object.fromEntries(
      Object.entries(UNEXERCISED_GRANTS).map(([name, grants]) => [name, [...new Set(grants)].sort()]),
    );
    expect(unused).toEqual(documented);
  });
});

describe('shipped artifacts: IAM is enforced', () => {
  it('a grant removed from the template makes the step that needs it fail, naming function, action and resource', async () => {
    // Prepare
    const { stack } = world();
    const shipped = stack.shipped;
    if (!shipped) throw new Error('not shipped');
    const webhook = shipped.app.functions.find((fn) => fn.name === 'StripeWebhook');
    if (!webhook) throw new Error('no webhook function');
    const original = webhook.statements;
    webhook.statements = original.map((statement) => ({
      ...statement,
      actions: statement.resources.some((r) => r.endsWith('table/WebhookEvents'))
        ? statement.actions.filter((action) => action !== 'dynamodb:PutItem')
        : statement.actions,
    }));
    const before = shipped.proxy.denials.length;
    const errorsBefore = world().errorLogs().length;

    // Act
    let response: Awaited<ReturnType<typeof deliver>>;
    try {
      response = await deliver(stack.info.webhookSecret, 'evt_without_ledger_grant');
    } finally {
      webhook.statements = original;
    }

    // Assess
    expect(response.status).toBe(500);
    const denials = shipped.proxy.denials.slice(before);
    expect(formatDenials(denials)).toMatch(
      /^StripeWebhook \(StripeWebhookFunction\w+\) is not allowed dynamodb:PutItem on arn:aws:dynamodb:us-east-1:\d+:table\/WebhookEvents$/,
    );
    // The failure's log line arrives through the worker's stdout, possibly after the HTTP answer: wait for it.
    await vi.waitFor(() =>
      expect(world().errorLogs().slice(errorsBefore)).toContainEqual({
        fn: 'StripeWebhook',
        message: 'Stripe webhook delivery failed; Stripe will retry',
      }),
    );
  });
});
