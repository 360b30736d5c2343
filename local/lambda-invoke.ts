import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen, type RunningServer } from './emulators/listen';

export type LambdaFunction = (event: unknown) => Promise<unknown>;

/**
 * A small AWS Lambda Invoke endpoint (`POST /2015-03-31/functions/{name}/invocations`), so that cognito-local calls
 * our trigger handlers the way Cognito calls Lambda: a thrown error becomes `X-Amz-Function-Error: Unhandled`,
 * which the caller turns into a failed sign-up. Functions are looked up at call time, so they may be registered
 * after the server starts (triggers need the user pool id, which exists only after cognito-local runs).
 */
export async function startLambdaInvokeServer(
  functions: Map<string, LambdaFunction>,
  options: { port?: number } = {},
): Promise<RunningServer> {
  const server = createServer(async (req, res) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    const fn = match?.[1] ? functions.get(decodeURIComponent(match[1])) : undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !fn) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${match?.[1] ?? req.url}` }));
      return;
    }
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const result = await fn(event);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result ?? null));
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: err.name, errorMessage: err.message }));
    }
  });
  await listen(server, options.port ?? 0, 'lambda-invoke');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
