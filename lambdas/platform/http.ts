import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { InvalidInputError } from '../domain/errors';

/** HTTP helpers for API Gateway v2 handlers. Every error body is `{ "error": { "code", "message" } }`. */

export type HttpResult = APIGatewayProxyResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

const BASE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function httpError(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
  return json(statusCode, { error: { code, message } }, headers);
}

/** 503 with a retry hint: a dependency is down, the client may retry. */
export function serviceUnavailable(message = 'A dependency is temporarily unavailable, please retry.') {
  return httpError(503, 'service_unavailable', message, { 'retry-after': '2' });
}

/** Default maximum request body for JSON routes (API Gateway itself caps at 10 MB). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** The raw request body as API Gateway delivered it, base64-decoded when flagged. */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** Parses a JSON request body; an empty body counts as `{}`. Throws InvalidInputError with a clear message. */
export function parseJsonBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): unknown {
  const text = rawBody(event);
  if (Buffer.byteLength(text, 'utf8') > MAX_JSON_BODY_BYTES) {
    throw new InvalidInputError(`request body exceeds ${MAX_JSON_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError('request body is not valid JSON');
  }
}

/** Case-insensitive header lookup (API Gateway v2 lower-cases, local callers may not). */
export function header(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
