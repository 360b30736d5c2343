import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ROUTES, type RouteDefinition } from '../lib/route-table';
import { listen, type RunningServer } from './emulators/listen';
import { buildEvent } from './gateway/events';
import { apiGatewayClaims, createJwtAuthorizer, type JwtAuthorizerOptions } from './gateway/jwt';
import { type AuthorizerLoader, createAuthorizerRunner, sourceAuthorizerLoader } from './gateway/lambda-authorizer';
import { localFunctionName, localLambdaContext } from './lambda-context';
import type { StaticHandler } from './web/server';

/** A route's handler; the gateway passes a Lambda context like the runtime's (local/lambda-context.ts). */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface GatewayOptions {
  port?: number;
  /** The environment every handler is built from (`handlerFromEnv(env)`). */
  env: Record<string, string>;
  /** The region in the Lambda contexts' ARNs (the stack's region). */
  region?: string;
  jwt: JwtAuthorizerOptions;
  /** Defaults to every route of lib/route-table.ts. */
  routes?: readonly RouteDefinition[];
  /** API Gateway caps payloads at 10 MB; locally 1 MB is plenty. */
  maxBodyBytes?: number;
  /** Browser origins allowed by CORS (the HTTP API's corsPreflight). */
  allowedOrigins?: string[];
  /** Loads a route's handler; defaults to importing `<repo>/<route.entry>` and calling `handlerFromEnv(env)`. */
  loadHandler?: (route: RouteDefinition) => Promise<HttpHandler | undefined>;
  /** The Lambda authorizer of an `entitlements` route; defaults to the authorizer module built from `env`. */
  loadAuthorizer?: AuthorizerLoader;
  /** Pages served beside the API (the example app under /app/); answers true when it handled the request. */
  serveStatic?: StaticHandler;
  log?: (line: string) => void;
}

export interface Gateway extends RunningServer {
  url: string;
  /** The Lambda authorizers' runs (cache hits excluded), by authorizer id. */
  authorizerInvocations(id: string): number;
}

const REPO_ROOT = join(__dirname, '..');

/**
 * The local HTTP API: serves exactly the deployed routes (lib/route-table.ts) with the same handler modules,
 * builds API Gateway v2 events, and enforces the JWT authorizer against cognito-local's keys.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const routes = options.routes ?? Object.values(ROUTES);
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const authorize = createJwtAuthorizer(options.jwt);
  const lambdaAuthorizers = createAuthorizerRunner({ log: options.log });
  const region = options.region ?? 'us-east-1';
  const loadAuthorizer = options.loadAuthorizer ?? sourceAuthorizerLoader(options.env, region);
  const handlers = new Map<string, HttpHandler>();
  const load =
    options.loadHandler ??
    (async (route: RouteDefinition) => {
      const file = join(REPO_ROOT, route.entry);
      if (!existsSync(file)) return undefined;
      const module = (await import(file)) as { handlerFromEnv?: (env: NodeJS.ProcessEnv) => HttpHandler };
      if (typeof module.handlerFromEnv !== 'function') {
        throw new Error(`${route.entry} does not export handlerFromEnv(env)`);
      }
      return module.handlerFromEnv(options.env);
    });

  // A module that does not exist yet is looked up again on the next request, so handlers that land while the
  // stack runs are picked up; one that exists is built once per entry, like one Lambda per module.
  const handlerFor = async (route: RouteDefinition): Promise<HttpHandler | undefined> => {
    const cached = handlers.get(route.entry);
    if (cached) return cached;
    const loaded = await load(route);
    if (loaded) handlers.set(route.entry, loaded);
    return loaded;
  };

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      options.log?.(`gateway error: ${(error as Error).stack ?? String(error)}`);
      send(res, 500, { error: { code: 'internal_error', message: 'Internal Server Error' } });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const cors = corsHeaders(req.headers.origin, options.allowedOrigins ?? []);
    if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS',
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '3600',
      });
      res.end();
      return;
    }
    if (options.serveStatic && (await options.serveStatic(req, res, url))) return;
    const route = routes.find((r) => r.path === url.pathname && r.method === method);
    if (!route) {
      await discard(req);
      return send(res, 404, { error: { code: 'not_found', message: `No route for ${method} ${url.pathname}` } }, cors);
    }
    const body = await readBody(req, maxBody);
    if (body === undefined) {
      return send(
        res,
        413,
        { error: { code: 'payload_too_large', message: `Request body exceeds ${maxBody} bytes` } },
        cors,
      );
    }
    let claims: Record<string, string> | undefined;
    let scopes: string[] | undefined;
    if (route.auth === 'jwt') {
      try {
        const payload = await authorize(req.headers.authorization);
        claims = apiGatewayClaims(payload);
        scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : undefined;
      } catch (error) {
        options.log?.(`401 ${method} ${url.pathname}: ${(error as Error).message}`);
        return send(res, 401, { error: { code: 'unauthorized', message: 'A valid bearer token is required' } }, cors, {
          'www-authenticate': 'Bearer',
        });
      }
    }
    let lambdaContext: Record<string, unknown> | undefined;
    if (route.auth === 'entitlements') {
      const authorizer = await loadAuthorizer(route);
      if (!authorizer) throw new Error(`${route.method} ${route.path}: no Lambda authorizer for this route`);
      const outcome = await lambdaAuthorizers.authorize(authorizer, req, url, route);
      if (!outcome.allowed) return send(res, outcome.status, outcome.body, cors);
      lambdaContext = outcome.context;
    }
    const handler = await handlerFor(route);
    if (!handler) {
      return send(
        res,
        501,
        {
          error: {
            code: 'not_implemented',
            message: `${route.method} ${route.path}: handler module ${route.entry} does not exist yet`,
          },
        },
        cors,
      );
    }
    const event = buildEvent(req, url, route, body, claims, scopes);
    if (lambdaContext) (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: lambdaContext };
    const result = await handler(event, localLambdaContext(localFunctionName(route.entry), { region }));
    writeResult(res, result, cors);
  }

  await listen(server, options.port ?? 0, 'api');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    url: endpoint,
    port,
    authorizerInvocations: (id) => lambdaAuthorizers.invocations(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Maps a Lambda result to HTTP like API Gateway's 2.0 payload format (a bare value means 200 JSON). */
function writeResult(res: ServerResponse, result: unknown, cors: Record<string, string>): void {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json', ...cors });
    res.end(text);
    return;
  }
  const { statusCode, headers, body, isBase64Encoded, cookies } = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    body?: string;
    isBase64Encoded?: boolean;
    cookies?: string[];
  };
  const out: Record<string, string | string[]> = { ...cors };
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = String(value);
  if (cookies?.length) out['set-cookie'] = cookies;
  res.writeHead(statusCode, out);
  res.end(body === undefined ? undefined : isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'origin' };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

async function discard(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // drain so keep-alive connections stay usable
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  cors: Record<string, string> = {},
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors, ...extra });
  res.end(JSON.stringify(body));
}
