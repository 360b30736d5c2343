import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, templateOf } from './support';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

const ORIGINS = 'https://app.example.com,https://www.example.com';
const IDPS = {
  google: { clientId: '123-abc.apps.googleusercontent.com', clientSecretId: 'entitlements/prod/google' },
  apple: {
    servicesId: 'com.example.signin',
    teamId: 'ABCDE12345',
    keyId: 'KEY1234567',
    privateKeySecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:entitlements/prod/apple-AbCdEf',
  },
  oidc: [
    {
      name: 'okta',
      clientId: '0oa1b2c3',
      clientSecretId: 'entitlements/prod/okta',
      issuerUrl: 'https://example.okta.com',
    },
  ],
  saml: [
    {
      name: 'corp-ad',
      metadataUrl: 'https://login.example.com/federationmetadata.xml',
      emailVerifiedAttribute: 'email_verified',
    },
  ],
};
const SES = {
  fromAddress: 'no-reply@mail.example.com',
  fromName: 'Example',
  identityArn: 'arn:aws:ses:eu-west-1:123456789012:identity/mail.example.com',
};

describe('sign-in: unconfigured stage', () => {
  const testApp = createTestApp();
  const template = templateOf(testApp.auth);

  it('has no identity provider, no domain, and Cognito as the only provider of the app client', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['COGNITO'],
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['http://localhost:5173/auth/callback', 'http://localhost:3000/auth/callback'],
    });
  });

  it('sends email with Cognito’s own sender', () => {
    const [pool] = Object.values(template.findResources('AWS::Cognito::UserPool')) as Resource[];
    expect(pool?.Properties.EmailConfiguration).toBeUndefined();
  });
});

describe('sign-in: configured stage', () => {
  const testApp = createTestApp({
    stage: 'prod',
    stageOverrides: { identityProviders: IDPS, authDomainPrefix: 'example-prod-login', sesEmail: SES },
    overrides: { allowedOrigins: ORIGINS },
  });
  const template = templateOf(testApp.auth);
  const providers = template.findResources('AWS::Cognito::UserPoolIdentityProvider') as Record<string, Resource>;
  const byType = (type: string) => Object.values(providers).find((p) => p.Properties.ProviderType === type);

  it('creates Google, Apple, one OIDC and one SAML provider, each mapping email and email_verified', () => {
    expect(Object.values(providers).map((p) => [p.Properties.ProviderName, p.Properties.ProviderType])).toEqual([
      ['Google', 'Google'],
      ['SignInWithApple', 'SignInWithApple'],
      ['okta', 'OIDC'],
      ['corp-ad', 'SAML'],
    ]);
    expect(byType('Google')?.Properties.AttributeMapping).toMatchObject({
      email: 'email',
      email_verified: 'email_verified',
    });
    expect(byType('SignInWithApple')?.Properties.AttributeMapping).toMatchObject({
      email: 'email',
      email_verified: 'email_verified',
    });
    expect(byType('OIDC')?.Properties.AttributeMapping).toEqual({ email: 'email', email_verified: 'email_verified' });
    expect(byType('SAML')?.Properties.AttributeMapping).toEqual({
      email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      email_verified: 'email_verified',
    });
    expect(byType('OIDC')?.Properties.ProviderDetails).toMatchObject({ oidc_issuer: 'https://example.okta.com' });
    expect(byType('SAML')?.Properties.ProviderDetails).toMatchObject({
      MetadataURL: 'https://login.example.com/federationmetadata.xml',
    });
  });

  it('takes every IdP secret from Secrets Manager by reference: the template holds no secret value', () => {
    const details = (type: string) => JSON.stringify(byType(type)?.Properties.ProviderDetails);
    expect(details('Google')).toContain('{{resolve:secretsmanager:entitlements/prod/google:SecretString:::}}');
    expect(details('SignInWithApple')).toContain(
      '{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:entitlements/prod/apple-AbCdEf:SecretString:::}}',
    );
    expect(details('OIDC')).toContain('{{resolve:secretsmanager:entitlements/prod/okta:SecretString:::}}');
  });

  it('has the Cognito domain and an app client for every provider, created after them, with the code flow', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'example-prod-login' });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient')) as Resource[];
    expect(client?.Properties).toMatchObject({
      SupportedIdentityProviders: ['COGNITO', 'Google', 'SignInWithApple', 'okta', 'corp-ad'],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: ['https://app.example.com/auth/callback', 'https://www.example.com/auth/callback'],
      LogoutURLs: ['https://app.example.com/', 'https://www.example.com/'],
    });
    expect(client?.DependsOn).toEqual(expect.arrayContaining(Object.keys(providers)));
  });

  it('sends email through the configured SES identity', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        SourceArn: SES.identityArn,
        From: 'Example <no-reply@mail.example.com>',
      },
    });
  });

  it('keeps the user pool in place (same logical id) whether or not providers are configured', () => {
    const plain = createTestApp({ stage: 'prod', overrides: { allowedOrigins: ORIGINS } });
    const poolId = (t: ReturnType<typeof templateOf>) => Object.keys(t.findResources('AWS::Cognito::UserPool'));
    expect(poolId(template)).toEqual(poolId(templateOf(plain.auth)));
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', Properties: Match.anyValue() });
  });
});

describe('sign-in: stage config validation', () => {
  const parse = (overrides: Record<string, unknown>) =>
    parseStageConfig({ stage: 'prod', overrides: { allowedOrigins: ORIGINS, ...overrides } });

  it('needs a domain prefix for any identity provider', () => {
    expect(() => parse({ identityProviders: { google: IDPS.google } })).toThrow(/no authDomainPrefix/);
    expect(parse({ identityProviders: JSON.stringify(IDPS), authDomainPrefix: 'x-login' }).identityProviders).toEqual(
      IDPS,
    );
  });

  it.each([
    [
      { google: { clientId: 'a', clientSecret: 'GOCSPX-abc' } },
      /identityProviders\.google\.clientSecret: unknown field/,
    ],
    [{ google: { clientId: 'a', clientSecretId: 'GOCSPX-AbCdEfGhIjKlMnOpQrStUvWxYz12' } }, /looks like a secret value/],
    [
      { google: { clientId: 'a', clientSecretId: 'AbCdEfGhIjKlMnOpQrStUvWxYz1234567890' } },
      /looks like a secret value/,
    ],
    [{ apple: { ...IDPS.apple, privateKeySecretId: '-----BEGIN PRIVATE KEY-----' } }, /secret name or ARN/],
    [{ oidc: [{ ...IDPS.oidc[0], name: 'My_Okta' }] }, /oidc\.0\.name/],
    [{ oidc: [{ ...IDPS.oidc[0], name: 'Google' }] }, /oidc\.0\.name/],
    [{ oidc: [{ ...IDPS.oidc[0], issuerUrl: 'http://example.okta.com' }] }, /issuerUrl/],
    [{ oidc: IDPS.oidc, saml: [{ ...IDPS.saml[0], name: 'okta' }] }, /must be unique/],
  ])('refuses identity providers %j', (identityProviders, message) => {
    expect(() => parse({ identityProviders, authDomainPrefix: 'x-login' })).toThrow(message);
  });

  it.each([
    [{ authDomainPrefix: 'My-Login' }, /authDomainPrefix/],
    [{ authDomainPrefix: 'cognito-login' }, /authDomainPrefix/],
    [{ sesEmail: { ...SES, fromAddress: 'no-reply@other.example.com' } }, /identity's domain/],
    [{ sesEmail: { ...SES, identityArn: 'mail.example.com' } }, /SES identity ARN/],
    [{ sesEmail: { fromAddress: SES.fromAddress } }, /identityArn/],
  ])('refuses %j', (overrides, message) => {
    expect(() => parse(overrides)).toThrow(message);
  });

  it('accepts an email identity for exactly that address', () => {
    const ses = {
      fromAddress: 'ops@example.com',
      identityArn: 'arn:aws:ses:us-east-1:123456789012:identity/ops@example.com',
    };
    expect(parse({ sesEmail: JSON.stringify(ses) }).sesEmail).toEqual(ses);
  });
});
