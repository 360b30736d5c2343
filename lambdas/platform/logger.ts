import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per container. Never log raw emails, tokens, card data or secrets. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'entitlements' });

/** `alice@example.com` -> `a***@example.com`: enough to correlate, not enough to identify. */
export function maskEmail(email: string | null | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
