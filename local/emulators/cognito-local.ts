import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import AWS from 'aws-sdk';
import { Router } from 'cognito-local/lib/server/Router';
import { createServer } from 'cognito-local/lib/server/server';
import { DateClock, LambdaService, MessagesService, TriggersService } from 'cognito-local/lib/services';
import { CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService';
import { CryptoService } from 'cognito-local/lib/services/crypto';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb';
import { ConsoleMessageSender } from 'cognito-local/lib/services/messageDelivery/consoleMessageSender';
import { MessageDeliveryService } from 'cognito-local/lib/services/messageDelivery/messageDelivery';
import { otp } from 'cognito-local/lib/services/otp';
import { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator';
import { UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService';
import pino from 'pino';
import { InboxMessageSender, type LocalInbox } from './inbox';
import { PortInUseError, type RunningServer } from './listen';

export interface CognitoLocalOptions {
  /** Folder for cognito-local's data (one per instance). */
  dataDir: string;
  port?: number;
  /** Trigger name -> function name, e.g. { PreSignUp: 'preSignUp' }. */
  triggers?: Partial<Record<'PreSignUp' | 'PostConfirmation', string>>;
  /** Endpoint of the local Lambda-invoke server the triggers call. */
  lambdaEndpoint?: string;
  /** Log cognito-local's own requests (noisy). */
  verbose?: boolean;
  /** Where confirmation codes go instead of the console (local/emulators/inbox.ts). */
  inbox?: LocalInbox;
}

/**
 * cognito-local in this process, on 127.0.0.1 with its own data folder and trigger wiring (the packaged CLI reads
 * `.cognito/` from the working directory and a fixed port, which tests running in parallel cannot share).
 * Triggers reach our handlers through the Lambda-invoke endpoint, as AWS Lambda would.
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<RunningServer> {
  const logger = pino({ level: options.verbose ? 'info' : 'silent' });
  const ctx = { logger };
  // The issuer must name the port we end up on, so bind first, then build the app on that port.
  const port = options.port ?? (await freePort());
  const config = {
    LambdaClient: {
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      region: 'us-east-1',
      ...(options.lambdaEndpoint ? { endpoint: options.lambdaEndpoint } : {}),
    },
    TriggerFunctions: options.triggers ?? {},
    UserPoolDefaults: { UsernameAttributes: ['email'] },
    TokenConfig: { IssuerDomain: `http://127.0.0.1:${port}` },
    KMSConfig: { credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, region: 'local' },
    ServerConfig: { port, hostname: '127.0.0.1', development: false, https: false },
  };
  const clock = new DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory(options.dataDir);
  const cognitoServiceFactory = new CognitoServiceFactoryImpl(
    options.dataDir,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  );
  // biome-ignore lint/suspicious/noExplicitAny: cognito-local's config types are internal
  const cognitoClient = await cognitoServiceFactory.create(ctx as any, config.UserPoolDefaults);
  const triggers = new TriggersService(
    clock,
    cognitoClient,
    new LambdaService(config.TriggerFunctions, new AWS.Lambda(config.LambdaClient)),
    // biome-ignore lint/suspicious/noExplicitAny: KMS is unused (no custom email sender)
    new CryptoService(config.KMSConfig as any),
  );
  const services = {
    clock,
    cognito: cognitoClient,
    config,
    messages: new MessagesService(
      triggers,
      new MessageDeliveryService(options.inbox ? new InboxMessageSender(options.inbox) : new ConsoleMessageSender()),
    ),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  // biome-ignore lint/suspicious/noExplicitAny: cognito-local's service types are internal
  const app = createServer(Router(services as any), logger as any, config.ServerConfig, services as any);
  let server: Server;
  try {
    server = (await app.start()) as Server;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortInUseError(`Port ${port} (cognito) is already in use: stop what uses it or pick another port`);
    }
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  const { createServer: createNetServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
