import { SecretValue } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import type { IdentityProviderSettings, SesEmailSettings } from './stage-config';

/** The WS-Federation claim most SAML IdPs (Entra ID, AD FS, Okta's default) send the email in. */
const SAML_EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

export interface FederatedProviders {
  /** For the app client's `supportedIdentityProviders` (Cognito's own sign-in comes first). */
  readonly clientProviders: cognito.UserPoolClientIdentityProvider[];
  /** The provider resources: the app client must be created after them (it names them). */
  readonly resources: cognito.IUserPoolIdentityProvider[];
}

/**
 * A secret from Secrets Manager by name or ARN, as a CloudFormation dynamic reference: CloudFormation reads it at
 * deploy time, the template and the cloud assembly only carry `{{resolve:secretsmanager:<id>:SecretString:::}}`.
 */
function secretReference(secretId: string): SecretValue {
  return SecretValue.secretsManager(secretId);
}

/**
 * The stage's federated identity providers on `userPool`, each mapping `email` and `email_verified` (Pre-Signup
 * links a federated sign-in to an existing account only when the provider vouches for the email).
 */
export function addIdentityProviders(
  scope: Construct,
  userPool: cognito.IUserPool,
  settings: IdentityProviderSettings,
): FederatedProviders {
  const clientProviders: cognito.UserPoolClientIdentityProvider[] = [];
  const resources: cognito.IUserPoolIdentityProvider[] = [];

  if (settings.google) {
    resources.push(
      new cognito.UserPoolIdentityProviderGoogle(scope, 'Google', {
        userPool,
        clientId: settings.google.clientId,
        clientSecretValue: secretReference(settings.google.clientSecretId),
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: {
          email: cognito.ProviderAttribute.GOOGLE_EMAIL,
          emailVerified: cognito.ProviderAttribute.GOOGLE_EMAIL_VERIFIED,
          givenName: cognito.ProviderAttribute.GOOGLE_GIVEN_NAME,
          familyName: cognito.ProviderAttribute.GOOGLE_FAMILY_NAME,
        },
      }),
    );
    clientProviders.push(cognito.UserPoolClientIdentityProvider.GOOGLE);
  }

  if (settings.apple) {
    resources.push(
      new cognito.UserPoolIdentityProviderApple(scope, 'Apple', {
        userPool,
        clientId: settings.apple.servicesId,
        teamId: settings.apple.teamId,
        keyId: settings.apple.keyId,
        privateKeyValue: secretReference(settings.apple.privateKeySecretId),
        scopes: ['email', 'name'],
        attributeMapping: {
          email: cognito.ProviderAttribute.APPLE_EMAIL,
          emailVerified: cognito.ProviderAttribute.APPLE_EMAIL_VERIFIED,
          givenName: cognito.ProviderAttribute.APPLE_FIRST_NAME,
          familyName: cognito.ProviderAttribute.APPLE_LAST_NAME,
        },
      }),
    );
    clientProviders.push(cognito.UserPoolClientIdentityProvider.APPLE);
  }

  for (const oidc of settings.oidc ?? []) {
    resources.push(
      new cognito.UserPoolIdentityProviderOidc(scope, `Oidc${oidc.name}`, {
        userPool,
        name: oidc.name,
        clientId: oidc.clientId,
        // The OIDC construct takes a string: the dynamic reference, never the value.
        clientSecret: secretReference(oidc.clientSecretId).unsafeUnwrap(),
        issuerUrl: oidc.issuerUrl,
        scopes: [...(oidc.scopes ?? ['openid', 'email', 'profile'])],
        attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
        attributeMapping: {
          email: cognito.ProviderAttribute.other('email'),
          emailVerified: cognito.ProviderAttribute.other('email_verified'),
        },
      }),
    );
    clientProviders.push(cognito.UserPoolClientIdentityProvider.custom(oidc.name));
  }

  for (const saml of settings.saml ?? []) {
    resources.push(
      new cognito.UserPoolIdentityProviderSaml(scope, `Saml${saml.name}`, {
        userPool,
        name: saml.name,
        metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(saml.metadataUrl),
        attributeMapping: {
          email: cognito.ProviderAttribute.other(saml.emailAttribute ?? SAML_EMAIL_CLAIM),
          ...(saml.emailVerifiedAttribute
            ? { emailVerified: cognito.ProviderAttribute.other(saml.emailVerifiedAttribute) }
            : {}),
        },
      }),
    );
    clientProviders.push(cognito.UserPoolClientIdentityProvider.custom(saml.name));
  }

  return { clientProviders, resources };
}

/** The pool's email configuration for SES (CloudFormation `EmailConfiguration`, sending as the developer). */
export function sesEmailConfiguration(ses: SesEmailSettings): cognito.CfnUserPool.EmailConfigurationProperty {
  return {
    emailSendingAccount: 'DEVELOPER',
    sourceArn: ses.identityArn,
    from: ses.fromName ? `${ses.fromName} <${ses.fromAddress}>` : ses.fromAddress,
    replyToEmailAddress: ses.replyTo,
    configurationSet: ses.configurationSet,
  };
}
