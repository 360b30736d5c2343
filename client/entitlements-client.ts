import type { components, paths } from './openapi-types';

/**
 * A typed client for the entitlements API, for a browser or Node frontend: copy this folder (this file and
 * openapi-types.ts, generated from docs/openapi.json) into your app. No dependency but `fetch`.
 *
 * ```ts
 * const api = createEntitlementsClient({
 *   baseUrl: 'https://<api-id>.execute-api.<region>.amazonaws.com',
 *   getToken: () => session.idToken,                 // the Cognito ID token of the SPA client
 *   onRefreshTokens: () => session.refresh(),        // called when the server says your token's groups are stale
 * });
 * const status = await api.status();                 // { status, plan, entitled, features, ... }
 * try { location.href = (await api.checkout({ plan: 'pro', interval: 'month' })).url; }
 * catch (error) { if (isApiError(error, 'already_subscribed')) location.href = (await api.portal()).url; }
 * ```
 *
 * Every failure is an `EntitlementsApiError` with the HTTP status, a stable `code` (the API's `error.code`; for
 * API Gateway's own answers `unauthorized` (401) and `forbidden` (403, e.g. an entitlements authorizer's denial);
 * `network_error` when no answer came), `retryAfterSeconds` on 503, and for the feature gate's 403 the fields to
 * offer an upgrade (`requiredFeature`, `requiredPlan`, `currentPlan`, `upgradeUrl`).
 */

type Json<P extends keyof paths, M extends 'get' | 'post' | 'delete', S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type SubscriptionStatus = Json<'/subscription/status', 'get', 200>;
export type CheckoutSessionRequest = components['schemas']['CheckoutSessionRequest'];
export type CheckoutSession = Json<'/checkout/sessions', 'post', 201>;
export type PortalSessionRequest = components['schemas']['PortalSessionRequest'];
export type PortalSession = Json<'/billing/portal-sessions', 'post', 201>;
export type TrialStatus = Json<'/subscription/trial', 'post', 201>;
export type AccountDeleted = Json<'/account', 'delete', 200>;
export type GrantOverrideRequest = components['schemas']['GrantOverrideRequest'];
export type RevokeOverrideRequest = paths['/admin/overrides']['delete']['parameters']['query'];
export type OverrideResult = Json<'/admin/overrides', 'post', 200>;
export type ApiErrorBody = components['schemas']['Error'];

/** The codes the API documents (docs/api.md), the feature gate's, and API Gateway's own answers. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'no_billing_account'
  | 'already_subscribed'
  | 'trial_already_used'
  | 'reauthentication_required'
  | 'account_deleted'
  | 'user_not_found'
  | 'unknown_plan'
  | 'end_date_in_past'
  | 'reason_required'
  | 'concurrent_update'
  | 'request_in_progress'
  | 'internal_error'
  | 'service_unavailable'
  | 'feature_not_in_plan'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'network_error'
  | 'unexpected_response';

/** What the feature gate adds to its 403 (docs/feature-gate.md). */
export interface FeatureDenial {
  requiredFeature: string | null;
  requiredPlan: string | null;
  currentPlan: string;
  upgradeUrl?: string;
}

export class EntitlementsApiError extends Error {
  override name = 'EntitlementsApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly details: { retryAfterSeconds?: number; feature?: FeatureDenial } = {},
  ) {
    super(message);
  }

  get retryAfterSeconds(): number | undefined {
    return this.details.retryAfterSeconds;
  }

  /** Present on `feature_not_in_plan`: what the route needs and what the caller has. */
  get feature(): FeatureDenial | undefined {
    return this.details.feature;
  }
}

export function isApiError(error: unknown, code?: ErrorCode): error is EntitlementsApiError {
  return error instanceof EntitlementsApiError && (code === undefined || error.code === code);
}

export interface EntitlementsClientOptions {
  /** The API's base URL, without a trailing slash needed (the `ApiUrl` output, or the local gateway). */
  baseUrl: string;
  /** The current Cognito ID token (called before every request, so a refreshed token is used at once). */
  getToken(): string | undefined | Promise<string | undefined>;
  /**
   * Called when a status answer says `refreshTokens: true`: the groups in your token differ from the user's groups
   * now. Refresh the Cognito tokens here (REFRESH_TOKEN_AUTH); the promise is awaited before the answer returns.
   */
  onRefreshTokens?(status: SubscriptionStatus | TrialStatus): void | Promise<void>;
  fetch?: typeof fetch;
}

export interface EntitlementsClient {
  /** GET /subscription/status */
  status(): Promise<SubscriptionStatus>;
  /** POST /checkout/sessions: redirect the browser to `url`. */
  checkout(request: CheckoutSessionRequest): Promise<CheckoutSession>;
  /** POST /billing/portal-sessions: redirect the browser to `url`. */
  portal(request?: PortalSessionRequest): Promise<PortalSession>;
  /** POST /subscription/trial: the 14-day no-card trial, once per user. */
  startTrial(): Promise<TrialStatus>;
  /** DELETE /account: needs a sign-in within the last 5 minutes (else `reauthentication_required`); sign out after. */
  deleteAccount(): Promise<AccountDeleted>;
  /** POST /admin/overrides (operators in `admins`): grant `plan` to `sub` until `endsAt` or until revoked. */
  grantOverride(request: GrantOverrideRequest): Promise<OverrideResult>;
  /** DELETE /admin/overrides?sub=&reason= (operators in `admins`): the Stripe state applies again at once. */
  revokeOverride(request: RevokeOverrideRequest): Promise<OverrideResult>;
  /** GET any route of your own API with the same token and errors (e.g. a route behind the feature gate). */
  get<T = unknown>(path: string): Promise<T>;
}

export function createEntitlementsClient(options: EntitlementsClientOptions): EntitlementsClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const token = await options.getToken();
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new EntitlementsApiError(0, 'network_error', `${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    throw toError(response, parsed, `${method} ${path}`);
  }

  async function withRefresh<T extends SubscriptionStatus | TrialStatus>(answer: Promise<T>): Promise<T> {
    const status = await answer;
    if (status.refreshTokens) await options.onRefreshTokens?.(status);
    return status;
  }

  return {
    status: () => withRefresh(request<SubscriptionStatus>('GET', '/subscription/status')),
    checkout: (body) => request<CheckoutSession>('POST', '/checkout/sessions', body),
    portal: (body = {}) => request<PortalSession>('POST', '/billing/portal-sessions', body),
    startTrial: () => withRefresh(request<TrialStatus>('POST', '/subscription/trial')),
    deleteAccount: () => request<AccountDeleted>('DELETE', '/account'),
    grantOverride: (body) => request<OverrideResult>('POST', '/admin/overrides', body),
    revokeOverride: ({ sub, reason }) =>
      request<OverrideResult>(
        'DELETE',
        `/admin/overrides?${new URLSearchParams({ sub, ...(reason === undefined ? {} : { reason }) })}`,
      ),
    get: (path) => request('GET', path.startsWith('/') ? path : `/${path}`),
  };
}

function toError(response: Response, body: unknown, what: string): EntitlementsApiError {
  const retryAfter = Number(response.headers.get('retry-after'));
  const details = Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {};
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const feature =
      error.code === 'feature_not_in_plan'
        ? {
            requiredFeature: typeof error.requiredFeature === 'string' ? error.requiredFeature : null,
            requiredPlan: typeof error.requiredPlan === 'string' ? error.requiredPlan : null,
            currentPlan: String(error.currentPlan ?? ''),
            ...(typeof error.upgradeUrl === 'string' ? { upgradeUrl: error.upgradeUrl } : {}),
          }
        : undefined;
    return new EntitlementsApiError(response.status, error.code, error.message, {
      ...details,
      ...(feature ? { feature } : {}),
    });
  }
  // API Gateway's own answers: {"message":"Unauthorized"} / {"message":"Forbidden"} / {"message":"Not Found"}.
  const message = (body as { message?: unknown } | undefined)?.message;
  const code =
    response.status === 401
      ? 'unauthorized'
      : response.status === 403
        ? 'forbidden'
        : response.status === 404
          ? 'not_found'
          : response.status === 503
            ? 'service_unavailable'
            : 'unexpected_response';
  return new EntitlementsApiError(
    response.status,
    code,
    typeof message === 'string' ? `${what}: ${message}` : `${what} answered ${response.status}`,
    details,
  );
}
