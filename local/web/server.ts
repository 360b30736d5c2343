import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { LocalInbox } from '../emulators/inbox';

/**
 * The example page under `/app/` on the local gateway's port (same origin as the API, so no CORS and the API's own
 * origin is an allowed checkout redirect): index.html, app.js (local/web/app.ts bundled for the browser by esbuild
 * on first request), config.json (where cognito-local is, which app client) and the local inbox (the confirmation
 * codes Cognito would email).
 */

export interface WebAppOptions {
  region: string;
  cognitoEndpoint: string;
  userPoolClientId: string;
  inbox: LocalInbox;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export const WEB_APP_PATH = '/app/';

export function createWebApp(options: WebAppOptions): StaticHandler {
  let bundle: Promise<string> | undefined;
  const bundled = () => {
    bundle ??= build({
      entryPoints: [join(__dirname, 'app.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
    }).then(
      (result) => result.outputFiles[0]?.text ?? '',
      (error: unknown) => {
        bundle = undefined;
        throw error;
      },
    );
    return bundle;
  };

  return async (req, res, url) => {
    if (url.pathname === '/app') {
      res.writeHead(308, { location: WEB_APP_PATH });
      res.end();
      return true;
    }
    if (!url.pathname.startsWith(WEB_APP_PATH) || (req.method ?? 'GET').toUpperCase() !== 'GET') return false;
    const file = url.pathname.slice(WEB_APP_PATH.length);
    if (file === '' || file === 'index.html') {
      reply(res, 200, 'text/html; charset=utf-8', await readFile(join(__dirname, 'index.html'), 'utf8'));
    } else if (file === 'app.js') {
      reply(res, 200, 'text/javascript; charset=utf-8', await bundled());
    } else if (file === 'config.json') {
      const { region, cognitoEndpoint, userPoolClientId } = options;
      reply(res, 200, 'application/json', JSON.stringify({ region, cognitoEndpoint, userPoolClientId }));
    } else if (file === 'inbox') {
      const code = options.inbox.latestCode(url.searchParams.get('email') ?? '');
      reply(res, 200, 'application/json', JSON.stringify(code ? { code } : {}));
    } else {
      reply(res, 404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: 'No such page' } }));
    }
    return true;
  };
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
