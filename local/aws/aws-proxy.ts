import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../emulators/listen';
import { type ActionCheck, type AwsService, checksOf, targetOf } from './aws-actions';
import { type AwsResponse, awsError } from './aws-json';
import { evaluate } from './iam-policy';
import type { Denial, RecordedCall, ShippedFunction } from './model';
import type { LocalSecretsManager } from './secrets-manager';

/**
 * One local endpoint (`AWS_ENDPOINT_URL`) for every shipped function's AWS SDK. The caller is the access key id
 * (its function's logical id); each call is checked against that function's role statements from the template and
 * refused exactly as AWS refuses it (400 AccessDeniedException), so a missing grant fails locally, not after deploy.
 * Allowed calls go unchanged to the emulators (dynalite, cognito-local) or the in-process Secrets Manager.
 */

export interface AwsProxyOptions {
  functions: ShippedFunction[];
  backends: { dynamodb: string; cognito: string };
  secrets: LocalSecretsManager;
  region: string;
  accountId: string;
  port?: number;
}

export interface AwsProxy {
  endpoint: string;
  calls: RecordedCall[];
  denials: Denial[];
  close(): Promise<void>;
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const calls: RecordedCall[] = [];
  const denials: Denial[] = [];
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handle(options, { calls, denials }, req, body, res))
      .catch((error: unknown) => send(res, awsError(500, 'InternalFailure', `local AWS proxy: ${String(error)}`)));
  });
  await listen(server, options.port ?? 0, 'aws-proxy');
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls, denials, close: () => closeServer(server) };
}

/** One line per denial, naming function, action and resource: for test failure messages. */
export function formatDenials(denials: Denial[]): string {
  return denials.map((d) => `${d.name} (${d.function}) is not allowed ${d.action} on ${d.resource}`).join('\n');
}

type Log = Pick<AwsProxy, 'calls' | 'denials'>;

async function handle(options: AwsProxyOptions, log: Log, req: IncomingMessage, body: Buffer, res: ServerResponse) {
  const contentType = req.headers['content-type'] ?? 'application/x-amz-json-1.1';
  const caller = callerOf(options.functions, req.headers.authorization);
  if (!caller) {
    return send(
      res,
      awsError(
        403,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        contentType,
      ),
    );
  }
  const target = targetOf(req.headers['x-amz-target'] as string | undefined);
  if (!target) {
    const message = `the local AWS proxy does not serve X-Amz-Target ${req.headers['x-amz-target'] ?? '(none)'}`;
    return send(res, awsError(400, 'UnknownOperationException', message, contentType));
  }
  let json: Record<string, unknown>;
  try {
    json = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } catch {
    return send(res, awsError(400, 'SerializationException', 'the request body is not JSON', contentType));
  }
  const checks = checksOf(target.service, target.operation, json, {
    region: options.region,
    accountId: options.accountId,
    secretArn: (id) => options.secrets.arnOf(id) ?? secretArnGuess(options, id),
  });
  const refusal = authorize(options, log, caller, target.operation, checks);
  if (refusal) return send(res, { ...refusal, headers: { ...refusal.headers, 'content-type': contentType } });
  return dispatch(options, target, json, req, body, res);
}

function callerOf(functions: ShippedFunction[], authorization: string | undefined): ShippedFunction | undefined {
  const accessKeyId = authorization?.match(/Credential=([^/,\s]+)\//)?.[1];
  return functions.find((fn) => fn.logicalId === accessKeyId);
}

const secretArnGuess = (options: AwsProxyOptions, id: string) =>
  id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${options.region}:${options.accountId}:secret:${id}`;

/** Checks every (action, resource) pair; the first refused one answers like AWS and is logged as a denial. */
function authorize(options: AwsProxyOptions, log: Log, fn: ShippedFunction, operation: string, checks: ActionCheck[]) {
  for (const check of checks) {
    const decision = evaluate(fn.statements, check.action, check.resource);
    if (decision.allowed) continue;
    log.denials.push({ function: fn.logicalId, name: fn.name, ...check });
    const role = fn.roleArn.split('/').pop();
    const why = decision.explicitDeny
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${check.action} action`;
    const message = `User: arn:aws:sts::${options.accountId}:assumed-role/${role}/${fn.logicalId} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`;
    return awsError(400, 'AccessDeniedException', message);
  }
  const byAction = new Map<string, string[]>();
  for (const check of checks) byAction.set(check.action, [...(byAction.get(check.action) ?? []), check.resource]);
  for (const [action, resources] of byAction) {
    log.calls.push({ function: fn.logicalId, name: fn.name, operation, action, resources });
  }
  return undefined;
}

async function dispatch(
  options: AwsProxyOptions,
  target: { service: AwsService; operation: string },
  json: Record<string, unknown>,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
) {
  if (target.service === 'secretsmanager') return send(res, options.secrets.handle(target.operation, json));
  const backend = target.service === 'dynamodb' ? options.backends.dynamodb : options.backends.cognito;
  return forward(backend, req, body, res);
}

/** The raw request to the emulator and its raw response back: signature, headers and body untouched. */
function forward(backend: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', backend);
  return new Promise((resolve) => {
    const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
    });
    upstream.on('error', (error) => {
      send(res, awsError(500, 'InternalServerError', `local AWS proxy: ${backend} unreachable: ${error.message}`));
      resolve();
    });
    upstream.end(body);
  });
}

function send(res: ServerResponse, response: AwsResponse): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // SDK clients keep connections alive; without this, close() waits for them to time out.
    server.closeAllConnections();
  });
}
