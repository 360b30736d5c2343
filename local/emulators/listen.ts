import type { Server } from 'node:net';

export interface RunningServer {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** Listens on 127.0.0.1; a port in use becomes a clear error naming the port and the service. */
export function listen(server: Server, port: number, service: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new PortInUseError(`Port ${port} (${service}) is already in use: stop what uses it or pick another port`),
        );
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}
