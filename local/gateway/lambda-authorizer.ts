import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS, type RouteDefinition } from '../../lib/route-table';
import { localFunctionName, localLambdaContext } from '../lambda-context';
import { buildEvent } from './events';

/**
 * An HTTP API Lambda authorizer (payload 2.0, simple responses) the way API Gateway runs it, for the local gateway:
 * - every identity source must be present and non-empty, else `401 {"message":"Unauthorized"}` without a call;
 * - the answer is cached per authorizer and identity-source values for the authorizer's TTL, denials included;
 * - `{ isAuthorized: true, context }` lets the request through with `requestContext.authorizer.lambda = context`;
 *   `isAuthorized: false` is `403 {"message":"Forbidden"}`; an error or a malformed answer is
 *   `500 {"message":"Internal Server Error"}` and is not cached.
 */

export interface RouteAuthorizer {
  /** Cache partition: one per authorizer (the template's function, or the requirement in source mode). */
  id: string;
  /** `$request.header.<Name>` entries (other sources are not emulated). */
  identitySource: string[];
  ttlSeconds: number;
  invoke(event: unknown): Promise<unknown>;
}

export type AuthorizerLoader = (route: RouteDefinition) => Promise<RouteAuthorizer | undefined>;

export type AuthorizerOutcome =
  | { allowed: true; context: Record<string, unknown> }
  | { allowed: false; status: 401 | 403 | 500; body: { message: string } };

const REPO_ROOT = join(__dirname, '..', '..');
const AUTHORIZER_ENTRY = 'lambdas/handlers/entitlements-authorizer.ts';

/** Source mode: the authorizer handler module built with the stack's env plus the route's GATE_REQUIREMENT. */
export function sourceAuthorizerLoader(env: Record<string, string>, region = 'us-east-1'): AuthorizerLoader {
  const built = new Map<string, RouteAuthorizer>();
  return async (route) => {
    if (route.auth !== 'entitlements' || !route.requires) return undefined;
    const existing = built.get(route.requires);
    if (existing) return existing;
    const file = join(REPO_ROOT, AUTHORIZER_ENTRY);
    if (!existsSync(file)) return undefined;
    const module = (await import(file)) as {
      handlerFromEnv: (env: NodeJS.ProcessEnv) => (event: unknown, context: Context) => Promise<unknown>;
    };
    const handler = module.handlerFromEnv({ ...env, GATE_REQUIREMENT: route.requires });
    const authorizer: RouteAuthorizer = {
      id: route.requires,
      identitySource: ['$request.header.Authorization'],
      ttlSeconds: DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS,
      invoke: (event) => handler(event, localLambdaContext(localFunctionName(AUTHORIZER_ENTRY), { region })),
    };
    built.set(route.requires, authorizer);
    return authorizer;
  };
}

export function createAuthorizerRunner(options: { nowMs?: () => number; log?: (line: string) => void } = {}) {
  const nowMs = options.nowMs ?? (() => Date.now());
  const cache = new Map<string, { expiresAt: number; outcome: AuthorizerOutcome }>();
  const invocations = new Map<string, number>();

  async function authorize(
    authorizer: RouteAuthorizer,
    req: IncomingMessage,
    url: URL,
    route: RouteDefinition,
  ): Promise<AuthorizerOutcome> {
    const values: string[] = [];
    for (const source of authorizer.identitySource) {
      const header = /^\$request\.header\.(.+)$/i.exec(source)?.[1];
      if (!header) throw new Error(`identity source ${source} is not emulated locally`);
      const value = req.headers[header.toLowerCase()];
      const text = Array.isArray(value) ? value.join(',') : value;
      if (!text?.trim()) return { allowed: false, status: 401, body: { message: 'Unauthorized' } };
      values.push(text);
    }
    const key = JSON.stringify([authorizer.id, values]);
    const cached = cache.get(key);
    if (cached && cached.expiresAt > nowMs()) return cached.outcome;

    const event = authorizerEvent(req, url, route, values);
    invocations.set(authorizer.id, (invocations.get(authorizer.id) ?? 0) + 1);
    let outcome: AuthorizerOutcome;
    try {
      outcome = simpleResponse(await authorizer.invoke(event));
    } catch (error) {
      options.log?.(`authorizer ${authorizer.id} failed: ${(error as Error).message}`);
      return { allowed: false, status: 500, body: { message: 'Internal Server Error' } };
    }
    if (outcome.allowed || outcome.status === 403) {
      if (authorizer.ttlSeconds > 0) cache.set(key, { expiresAt: nowMs() + authorizer.ttlSeconds * 1000, outcome });
    }
    return outcome;
  }

  return {
    authorize,
    /** How often each authorizer ran (cache hits excluded). */
    invocations: (id: string) => invocations.get(id) ?? 0,
    clearCache: () => cache.clear(),
  };
}

function simpleResponse(result: unknown): AuthorizerOutcome {
  const answer = result as { isAuthorized?: unknown; context?: unknown } | null;
  if (typeof answer?.isAuthorized !== 'boolean') {
    return { allowed: false, status: 500, body: { message: 'Internal Server Error' } };
  }
  if (!answer.isAuthorized) return { allowed: false, status: 403, body: { message: 'Forbidden' } };
  const context =
    typeof answer.context === 'object' && answer.context !== null ? (answer.context as Record<string, unknown>) : {};
  return { allowed: true, context };
}

/** The payload 2.0 REQUEST event: the request as the route's Lambda would see it, plus routeArn and identitySource. */
function authorizerEvent(req: IncomingMessage, url: URL, route: RouteDefinition, identitySource: string[]) {
  const request = buildEvent(req, url, route, Buffer.alloc(0), undefined, undefined) as Partial<APIGatewayProxyEventV2>;
  delete request.body;
  delete request.isBase64Encoded;
  return {
    ...request,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:123456789012:local/$default/${route.method}${route.path}`,
    identitySource,
  };
}
