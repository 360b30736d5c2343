import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from './config';

/**
 * Secret values at cold start: from Secrets Manager by ARN in AWS (cached by Powertools for the container's
 * life), or from a plain variable on the local stack only. A missing secret is a loud configuration error.
 */
export async function resolveSecret(options: { arn?: string; localValue?: string; name: string }): Promise<string> {
  if (options.localValue) return options.localValue;
  if (!options.arn) throw new ConfigError(`${options.name}: neither a secret ARN nor a local value is configured`);
  const value = await getSecret(options.arn, { maxAge: 3600 });
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`${options.name}: secret ${options.arn} is empty or not a string`);
  }
  return value.trim();
}
