import { Logger } from '@aws-lambda-powertools/logger';
import { InvocationLogFormatter } from './log-context';

/**
 * One structured JSON logger per container. Never log raw emails, tokens, card data or secrets. Inside an
 * invocation (lambdaEntry), each line carries the request id, function name, cold start and correlation id
 * (log-context.ts).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'entitlements',
  logFormatter: new InvocationLogFormatter(),
});

/** `alice@example.com` -> `a***@example.com`: enough to correlate, not enough to identify. */
export function maskEmail(email: string | null | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
