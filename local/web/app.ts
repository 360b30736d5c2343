/// <reference lib="dom" />
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createEntitlementsClient,
  type EntitlementsApiError,
  isApiError,
  type SubscriptionStatus,
  type TrialStatus,
} from '../../client/entitlements-client';

/**
 * The example page (served at /app/ by the local gateway, bundled by esbuild on first request): sign up, confirm and
 * sign in against cognito-local with the AWS SDK's Cognito client, then the entitlements API through the typed
 * client: status, trial, Stripe Checkout (the emulator's hosted page pays and sends the browser back), the portal,
 * and the two example protected routes. Tokens live in sessionStorage, so the page survives the Checkout redirect.
 */

interface WebConfig {
  region: string;
  cognitoEndpoint: string;
  userPoolClientId: string;
}

interface Session {
  email: string;
  idToken: string;
  refreshToken: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const SESSION_KEY = 'entitlements-example-session';
/** The status shown when the user left for the portal, to tell when a change made there has arrived. */
const PORTAL_KEY = 'entitlements-example-before-portal';

function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(SESSION_KEY);
  return text ? (JSON.parse(text) as Session) : undefined;
}

function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  const message = $('message');
  message.textContent = text;
  message.className = kind === 'error' ? 'error' : '';
}

function describeError(error: unknown): string {
  if (isApiError(error)) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const config = (await (await fetch('/app/config.json')).json()) as WebConfig;
  const cognito = new CognitoIdentityProviderClient({
    region: config.region,
    endpoint: config.cognitoEndpoint,
    // SignUp, ConfirmSignUp and InitiateAuth are unauthenticated calls: no AWS credentials are sent.
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  let session = loadSession();

  const refreshTokens = async () => {
    if (!session) return;
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: config.userPoolClientId,
        AuthParameters: { REFRESH_TOKEN: session.refreshToken },
      }),
    );
    const idToken = auth.AuthenticationResult?.IdToken;
    if (idToken) {
      session = { ...session, idToken };
      saveSession(session);
    }
  };

  const api = createEntitlementsClient({
    baseUrl: window.location.origin,
    getToken: () => session?.idToken,
    onRefreshTokens: refreshTokens,
  });

  const signIn = async (email: string, password: string) => {
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: config.userPoolClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const result = auth.AuthenticationResult;
    if (!result?.IdToken || !result.RefreshToken) throw new Error('Cognito returned no tokens');
    session = { email, idToken: result.IdToken, refreshToken: result.RefreshToken };
    saveSession(session);
  };

  /** The groups in the current ID token (what a cached authorizer answer and group-based UIs go by). */
  const tokenGroups = (): string[] => {
    const payload = session?.idToken.split('.')[1];
    if (!payload) return [];
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const groups = claims['cognito:groups'];
    return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
  };

  const render = (status: SubscriptionStatus | TrialStatus) => {
    $('plan').textContent = status.plan;
    $('status').textContent = status.status;
    $('entitled').textContent = status.entitled ? 'yes' : 'no';
    const features = $('features');
    features.replaceChildren(
      ...status.features.map((feature) => {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = feature;
        return badge;
      }),
    );
    $('trial-ends').textContent = status.trialEndsAt ?? '-';
    $('period-ends').textContent = status.currentPeriodEnd ?? '-';
    $<HTMLButtonElement>('start-trial').disabled = status.status !== 'none';
    $<HTMLButtonElement>('checkout').disabled = status.entitled && status.plan !== 'trial';
  };

  const showSignedIn = async () => {
    $('auth').hidden = !!session;
    $('account').hidden = !session;
    $('examples').hidden = !session;
    if (!session) return;
    $('who').textContent = session.email;
    render(await api.status());
  };

  const tryRoute = async (path: string, target: string) => {
    const out = $(target);
    try {
      const body = await api.get<Record<string, unknown>>(path);
      out.className = 'route ok';
      out.textContent = `${path}: 200 ${JSON.stringify(body)}`;
    } catch (error) {
      out.className = 'route denied';
      const apiError = error as EntitlementsApiError;
      const detail = apiError.feature
        ? ` (needs ${apiError.feature.requiredFeature ?? apiError.feature.requiredPlan}; buy ${apiError.feature.requiredPlan})`
        : '';
      out.textContent = `${path}: ${describeError(error)}${detail}`;
    }
  };

  /**
   * After Stripe sends the browser back: wait for the webhook to turn the plan into pro, and for a token that carries
   * its group (the client refreshes when the status says so, which it does once Cognito has the new group).
   */
  const awaitCheckout = async () => {
    say('Payment done: waiting for Stripe’s webhook to update your plan…');
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const status = await api.status();
      render(status);
      if (status.entitled && status.plan === 'pro' && tokenGroups().some((group) => status.groups.includes(group))) {
        say('Your plan is now pro.');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    say('The webhook has not arrived yet: press “Refresh status” in a moment.', 'error');
  };

  /** Back from the portal: wait until a change made there (e.g. a cancellation) has reached the status and the token. */
  const awaitPortalReturn = async () => {
    const before = sessionStorage.getItem(PORTAL_KEY);
    sessionStorage.removeItem(PORTAL_KEY);
    say('Back from the billing portal: checking your plan…');
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const status = await api.status();
      render(status);
      const tokenCurrent = status.groups.every((group) => tokenGroups().includes(group));
      if (status.status !== before && tokenCurrent) {
        say(`Your plan is now ${status.plan} (${status.status}).`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    say('No change from the portal has arrived yet: press “Refresh status” in a moment.');
  };

  const guarded = (work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (error) {
      say(describeError(error), 'error');
    }
  };

  $('sign-up').addEventListener(
    'click',
    guarded(async () => {
      const email = $<HTMLInputElement>('email').value.trim();
      const password = $<HTMLInputElement>('password').value;
      await cognito.send(
        new SignUpCommand({
          ClientId: config.userPoolClientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      $('confirm').hidden = false;
      say(`Cognito sent a confirmation code to ${email}.`);
    }),
  );
  $('read-inbox').addEventListener(
    'click',
    guarded(async () => {
      const email = $<HTMLInputElement>('email').value.trim();
      const response = await fetch(`/app/inbox?email=${encodeURIComponent(email)}`);
      const body = (await response.json()) as { code?: string };
      if (!body.code) throw new Error(`No code in the local inbox for ${email}`);
      $<HTMLInputElement>('code').value = body.code;
    }),
  );
  $('confirm-sign-up').addEventListener(
    'click',
    guarded(async () => {
      const email = $<HTMLInputElement>('email').value.trim();
      await cognito.send(
        new ConfirmSignUpCommand({
          ClientId: config.userPoolClientId,
          Username: email,
          ConfirmationCode: $<HTMLInputElement>('code').value.trim(),
        }),
      );
      await signIn(email, $<HTMLInputElement>('password').value);
      say('Account confirmed: you are signed in.');
      await showSignedIn();
    }),
  );
  $('sign-in').addEventListener(
    'click',
    guarded(async () => {
      await signIn($<HTMLInputElement>('email').value.trim(), $<HTMLInputElement>('password').value);
      say('Signed in.');
      await showSignedIn();
    }),
  );
  $('sign-out').addEventListener(
    'click',
    guarded(async () => {
      session = undefined;
      saveSession(undefined);
      say('Signed out.');
      await showSignedIn();
    }),
  );
  $('refresh').addEventListener(
    'click',
    guarded(async () => {
      render(await api.status());
      say('Status refreshed.');
    }),
  );
  $('start-trial').addEventListener(
    'click',
    guarded(async () => {
      render(await api.startTrial());
      say('Your 14-day trial has started.');
    }),
  );
  $('checkout').addEventListener(
    'click',
    guarded(async () => {
      const back = `${window.location.origin}/app/`;
      const checkout = await api.checkout({
        plan: 'pro',
        interval: 'month',
        successUrl: `${back}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${back}?checkout=cancel`,
      });
      say('Opening Stripe Checkout…');
      window.location.assign(checkout.url);
    }),
  );
  $('portal').addEventListener(
    'click',
    guarded(async () => {
      const portal = await api.portal({ returnUrl: `${window.location.origin}/app/?portal=return` });
      sessionStorage.setItem(PORTAL_KEY, $('status').textContent ?? '');
      say('Opening the billing portal…');
      window.location.assign(portal.url);
    }),
  );
  $('try-reports').addEventListener(
    'click',
    guarded(() => tryRoute('/example/reports', 'reports-result')),
  );
  $('try-team').addEventListener(
    'click',
    guarded(() => tryRoute('/example/team', 'team-result')),
  );

  await showSignedIn();
  const params = new URLSearchParams(window.location.search);
  if (session && params.get('checkout') === 'success') {
    window.history.replaceState(null, '', '/app/');
    await awaitCheckout();
  } else if (session && params.get('portal') === 'return') {
    window.history.replaceState(null, '', '/app/');
    await awaitPortalReturn();
  } else if (params.get('checkout') === 'cancel') {
    window.history.replaceState(null, '', '/app/');
    say('Checkout was cancelled.');
  }
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => say(describeError(error), 'error'));
