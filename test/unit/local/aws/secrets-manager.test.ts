import { describe, expect, it } from 'vitest';
import { LocalSecretsManager, secretNameOf } from '../../../../local/aws/secrets-manager';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:StripeApiKeyF2E4F720-AbCdEf';

function managerWithSecret(value = 'sk_test_local') {
  const secrets = new LocalSecretsManager();
  secrets.put(ARN, value);
  return secrets;
}

describe('LocalSecretsManager', () => {
  it('derives the name AWS shows from the ARN (minus the six-character suffix)', () => {
    expect(secretNameOf(ARN)).toBe('StripeApiKeyF2E4F720');
  });

  it.each([ARN, 'StripeApiKeyF2E4F720', ARN.replace(/-AbCdEf$/, '')])('accepts SecretId %s', (secretId) => {
    // Prepare
    const secrets = managerWithSecret();
    // Act
    const response = secrets.handle('GetSecretValue', { SecretId: secretId });
    // Assess
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      ARN,
      Name: 'StripeApiKeyF2E4F720',
      SecretString: 'sk_test_local',
      VersionStages: ['AWSCURRENT'],
      VersionId: expect.any(String),
      CreatedDate: expect.any(Number),
    });
  });

  it('answers ResourceNotFoundException (400) for an unknown secret', () => {
    const response = managerWithSecret().handle('GetSecretValue', { SecretId: 'nope' });
    expect(response.status).toBe(400);
    expect(response.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(response.body).__type).toBe('ResourceNotFoundException');
  });

  it('fails the next N reads with 500 InternalServiceError, then recovers; every read is counted', () => {
    // Prepare
    const secrets = managerWithSecret();
    secrets.failNext('StripeApiKeyF2E4F720', 2);
    // Act
    const statuses = [1, 2, 3].map(() => secrets.handle('GetSecretValue', { SecretId: ARN }).status);
    // Assess
    expect(statuses).toEqual([500, 500, 200]);
    expect(secrets.requests.get(ARN)).toBe(3);
  });

  it('serves the newest put as a new current version', () => {
    // Prepare
    const secrets = managerWithSecret('placeholder');
    const first = JSON.parse(secrets.handle('GetSecretValue', { SecretId: ARN }).body);
    // Act
    secrets.put(ARN, 'sk_test_real');
    const second = JSON.parse(secrets.handle('GetSecretValue', { SecretId: ARN }).body);
    // Assess
    expect(second.SecretString).toBe('sk_test_real');
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(second.CreatedDate).toBe(first.CreatedDate);
  });

  it('refuses failNext for a secret that was never put', () => {
    expect(() => new LocalSecretsManager().failNext(ARN)).toThrow(/put it first/);
  });
});
