import { Duration } from 'aws-cdk-lib';
import { CfnStage, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { CONTRACTS } from '../../lambdas/platform/contracts';
import { ROUTES } from '../route-table';
import type { ApiStack } from '../stacks/api-stack';
import { AppFunction } from './app-function';

export interface StripeWebhookProps {
  readonly api: ApiStack;
}

/**
 * POST /webhooks/stripe: one Lambda, public route (Stripe authenticates by signature), least privilege: exactly
 * its contract (CONTRACTS.stripeWebhook): ledger, entitlement writer, parked events, audit put, profile reads, the
 * Stripe API key and webhook signing secret (ARNs only), group calls on the one user pool.
 *
 * Capacity of its own: reserved concurrency from the stage config (a Stripe burst cannot take the capacity the
 * sign-up triggers need; a throttled delivery is answered 5xx and retried by Stripe) and a route throttle of its own
 * (stage route settings), so the app's routes and Stripe do not share one limit.
 */
export class StripeWebhook extends Construct {
  readonly function: AppFunction;
  /** `POST /webhooks/stripe`: the key of its route settings. */
  readonly routeKey: string;

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
      reservedConcurrentExecutions: api.config.reservedConcurrency.webhook,
    }).useContract(CONTRACTS.stripeWebhook, {
      tables,
      secrets: {
        stripeApiKey: api.data.stripeSecrets.apiKey,
        stripeWebhookSecret: api.data.stripeSecrets.webhookSigningSecret,
      },
      userPool: api.userPool,
    });
    const routes = api.addLambdaRoute({
      path: route.path,
      method: HttpMethod[route.method],
      fn: this.function.fn,
      auth: 'none',
      publicReason: 'Stripe cannot send a Cognito JWT: every request is authenticated by its Stripe-Signature HMAC',
    });
    this.routeKey = `${route.method} ${route.path}`;
    const stage = api.httpApi.defaultStage?.node.defaultChild;
    if (!(stage instanceof CfnStage)) throw new Error('HttpApi has no default stage to throttle the webhook route on');
    // Merged into RouteSettings (other routes may add theirs); the stage must be updated after the route exists.
    stage.addPropertyOverride(`RouteSettings.${this.routeKey}`, {
      ThrottlingRateLimit: api.config.webhookThrottle.rateLimit,
      ThrottlingBurstLimit: api.config.webhookThrottle.burstLimit,
    });
    for (const httpRoute of routes) stage.node.addDependency(httpRoute);
  }
}
