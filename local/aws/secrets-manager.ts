import { randomUUID } from 'node:crypto';
import { type AwsResponse, awsError, awsJson } from './aws-json';

/**
 * An in-process Secrets Manager for the shipped-artifact tier: GetSecretValue and DescribeSecret in AWS's JSON shape,
 * with injectable transient failures (the 500 `InternalServiceError` AWS answers during incidents), so tests can show
 * that a handler never caches a failed or placeholder secret.
 */

interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  versionId: string;
  createdDate: number;
}

/** `arn:...:secret:<name>-AbCdEf` -> `<name>` (AWS appends six random characters to the name). */
export function secretNameOf(arn: string): string {
  const afterPrefix = arn.split(':secret:')[1] ?? arn;
  return afterPrefix.replace(/-[A-Za-z0-9]{6}$/, '');
}

export class LocalSecretsManager {
  /** GetSecretValue requests per secret ARN, failed ones included (an SDK retry counts again). */
  readonly requests = new Map<string, number>();
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly failures = new Map<string, number>();

  /** Creates the secret or sets a new current version. */
  put(arn: string, value: string): void {
    const createdDate = this.secrets.get(arn)?.createdDate ?? Math.floor(Date.now() / 1000);
    this.secrets.set(arn, { arn, name: secretNameOf(arn), value, versionId: randomUUID(), createdDate });
  }

  /** The next `count` GetSecretValue requests for this secret answer HTTP 500 InternalServiceError. */
  failNext(arnOrName: string, count = 1): void {
    const arn = this.arnOf(arnOrName);
    if (!arn) throw new Error(`failNext: no secret ${arnOrName}; put it first`);
    this.failures.set(arn, (this.failures.get(arn) ?? 0) + count);
  }

  /** Ends an outage started with `failNext`: the next request is answered normally. */
  recover(arnOrName: string): void {
    const arn = this.arnOf(arnOrName);
    if (arn) this.failures.delete(arn);
  }

  /** Full ARN for a SecretId as AWS accepts it: full ARN, partial ARN (no random suffix) or name. */
  arnOf(secretId: string): string | undefined {
    for (const secret of this.secrets.values()) {
      if (secretId === secret.arn || secretId === secret.name) return secret.arn;
      if (secretId.startsWith('arn:') && secretId === secret.arn.replace(/-[A-Za-z0-9]{6}$/, '')) return secret.arn;
    }
    return undefined;
  }

  /** Answers one Secrets Manager operation (the proxy has already checked IAM). */
  handle(operation: string, body: Record<string, unknown>): AwsResponse {
    const secret = this.find(body.SecretId);
    if (!secret) return awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (operation === 'GetSecretValue') return this.getSecretValue(secret, body);
    if (operation === 'DescribeSecret') {
      return awsJson({
        ARN: secret.arn,
        Name: secret.name,
        VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
      });
    }
    return awsError(400, 'UnknownOperationException', `${operation} is not emulated by the local Secrets Manager`);
  }

  private find(secretId: unknown): StoredSecret | undefined {
    const arn = typeof secretId === 'string' ? this.arnOf(secretId) : undefined;
    return arn ? this.secrets.get(arn) : undefined;
  }

  private getSecretValue(secret: StoredSecret, body: Record<string, unknown>): AwsResponse {
    this.requests.set(secret.arn, (this.requests.get(secret.arn) ?? 0) + 1);
    const failures = this.failures.get(secret.arn) ?? 0;
    if (failures > 0) {
      this.failures.set(secret.arn, failures - 1);
      return awsError(500, 'InternalServiceError', 'An error occurred on the server side.');
    }
    const stage = body.VersionStage ?? 'AWSCURRENT';
    const version = body.VersionId ?? secret.versionId;
    if (stage !== 'AWSCURRENT' || version !== secret.versionId) {
      return awsError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret value.");
    }
    return awsJson({
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    });
  }
}
