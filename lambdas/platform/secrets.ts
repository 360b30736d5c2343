import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DependencyUnavailableError } from '../domain/errors';
import { ConfigError, type SecretSource } from './config';
import { SECRETS, type SecretKey } from './contracts';

/** How long a fetched value is trusted: a rotated secret is picked up within this bound without a new container. */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * The secret still holds the random placeholder CDK created at deploy (`put-secret-value` has not run): the caller
 * answers 503 naming the secret, and Stripe keeps retrying its deliveries until the operator sets it.
 */
export class SecretNotSetError extends ConfigError {
  override name = 'SecretNotSetError';
  constructor(
    readonly secret: string,
    message: string,
    /** For responses: names the secret by its role and variable, not by ARN (the ARN is in the log). */
    readonly publicMessage: string,
  ) {
    super(message);
  }
}

export type SecretFetcher = (arn: string, options: { maxAge: number; forceFetch: boolean }) => Promise<unknown>;

const powertoolsFetch: SecretFetcher = (arn, options) => getSecret(arn, options);

/**
 * One secret's value: from Secrets Manager by ARN in AWS (cached for SECRET_MAX_AGE_SECONDS; a failed fetch is never
 * cached, so the next call tries again), or a plain value on the local stack. `refresh()` forces a new fetch: the
 * webhook calls it once when a signature does not verify, which is what a rotation looks like.
 */
export class SecretValue {
  private readonly spec: (typeof SECRETS)[SecretKey];

  constructor(
    key: SecretKey,
    private readonly source: SecretSource,
    private readonly fetch: SecretFetcher = powertoolsFetch,
  ) {
    this.spec = SECRETS[key];
  }

  /** A cached placeholder is re-read at once: the operator may just have run put-secret-value. */
  async get(): Promise<string> {
    try {
      return await this.read(false);
    } catch (error) {
      if (error instanceof SecretNotSetError && this.source.arn) return this.read(true);
      throw error;
    }
  }

  refresh(): Promise<string> {
    return this.read(true);
  }

  private async read(forceFetch: boolean): Promise<string> {
    if (this.source.localValue) return this.checked(this.source.localValue);
    const arn = this.source.arn;
    if (!arn) throw new ConfigError(`${this.spec.label}: neither ${this.spec.arnVar} nor ${this.spec.localVar} is set`);
    let value: unknown;
    try {
      value = await this.fetch(arn, { maxAge: SECRET_MAX_AGE_SECONDS, forceFetch });
    } catch (error) {
      throw new DependencyUnavailableError('secrets', `${this.spec.label} could not be read from ${arn}`, {
        cause: error,
      });
    }
    if (typeof value !== 'string') {
      throw new SecretNotSetError(arn, `${this.spec.label} (${arn}) is not a string`, this.publicMessage());
    }
    return this.checked(value.trim(), arn);
  }

  private checked(value: string, arn?: string): string {
    if (this.spec.prefixes.some((prefix) => value.startsWith(prefix))) return value;
    const where = arn ?? this.spec.localVar;
    throw new SecretNotSetError(
      where,
      `${this.spec.label} is not set: ${where} does not hold a value starting with ${this.spec.prefixes.join(' or ')}` +
        (arn ? ` (run: aws secretsmanager put-secret-value --secret-id ${arn} --secret-string <value>)` : ''),
      this.publicMessage(),
    );
  }

  private publicMessage(): string {
    return `The ${this.spec.label} is not set: put its value in the secret named by ${this.spec.arnVar} (see README, Deploy)`;
  }
}
