import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { ROUTES } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

/**
 * Group calls of the webhook: add/remove for the diff, and list, which it needs only when two deliveries for one
 * user raced (it then converges on Cognito's actual membership rather than a stale recorded one).
 */
export const WEBHOOK_GROUP_ACTIONS = [
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminListGroupsForUser',
];

export interface StripeWebhookProps {
  readonly api: ApiStack;
}

/**
 * POST /webhooks/stripe: one Lambda, public route (Stripe authenticates by signature), least privilege:
 * WebhookEvents / Entitlements / ParkedEvents read-write, AuditLog write, UserProfiles read (+ its indexes),
 * the Stripe API key and webhook signing secret (ARNs only), group calls on the one user pool.
 */
export class StripeWebhook extends Construct {
  readonly function: AppFunction;

  constructor(scope: Construct, id: string, props: StripeWebhookProps) {
    super(scope, id);
    const { api } = props;
    const route = ROUTES.stripeWebhook;
    const tables = api.data.tables;
    this.function = new AppFunction(this, route.id, {
      entry: route.entry,
      config: api.config,
      serviceName: route.id,
      description: 'POST /webhooks/stripe: signed Stripe events -> entitlements and Cognito groups',
      // The handler answers 500 at 8 s (Stripe retries); a tie re-read plus Cognito calls fit well inside.
      timeout: Duration.seconds(10),
    })
      .useTables(tables, 'readWrite', 'webhookEvents', 'entitlements', 'parkedEvents')
      .useTables(tables, 'write', 'auditLog')
      .useTables(tables, 'read', 'userProfiles')
      .useSecret(api.data.stripeSecrets.apiKey, 'STRIPE_SECRET_ARN')
      .useSecret(api.data.stripeSecrets.webhookSigningSecret, 'STRIPE_WEBHOOK_SECRET_ARN')
      .useUserPool(api.userPool, ...WEBHOOK_GROUP_ACTIONS);
    api.addLambdaRoute({
      path: route.path,
      method: HttpMethod[route.method],
      fn: this.function.fn,
      auth: 'none',
      publicReason: 'Stripe cannot send a Cognito JWT: every request is authenticated by its Stripe-Signature HMAC',
    });
  }
}
