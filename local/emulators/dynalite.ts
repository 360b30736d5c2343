import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { listen, type RunningServer } from './listen';

/**
 * dynalite: a DynamoDB emulator in this process. In memory by default; pass `path` to persist (local stack).
 * Known gap: no TransactWriteItems, so the product relies on single conditional writes.
 */
export async function startDynalite(options: { port?: number; path?: string } = {}): Promise<RunningServer> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await listen(server, options.port ?? 0, 'dynamodb');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
