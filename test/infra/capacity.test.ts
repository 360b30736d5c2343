import { describe, expect, it } from 'vitest';
import type { AppFunction } from '../../lib/constructs/app-function';
import type { Reconcile } from '../../lib/constructs/reconcile';
import type { StripeWebhook } from '../../lib/constructs/stripe-webhook';
import { parseStageConfig } from '../../lib/stage-config';
import { createTestApp, type TestAppOptions, templateOf } from './support';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };

function capacityOf(options: TestAppOptions) {
  const testApp = createTestApp(options);
  const template = templateOf(testApp.api);
  const functionProps = (fn: AppFunction) =>
    (template.toJSON().Resources[testApp.api.getLogicalId(fn.fn.node.defaultChild as never)] as Resource).Properties;
  const webhook = testApp.api.node.findChild('StripeWebhook') as StripeWebhook;
  const reconcile = testApp.api.node.findChild('Reconcile') as Reconcile;
  const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')) as Resource[];
  const routeIds = Object.entries(template.findResources('AWS::ApiGatewayV2::Route'))
    .filter(([, route]) => route.Properties.RouteKey === 'POST /webhooks/stripe')
    .map(([id]) => id);
  return {
    webhook: functionProps(webhook.function).ReservedConcurrentExecutions,
    scheduled: functionProps(reconcile.scheduled).ReservedConcurrentExecutions,
    admin: functionProps(reconcile.admin).ReservedConcurrentExecutions,
    stage,
    routeIds,
  };
}

const PROD = { stage: 'prod', overrides: { allowedOrigins: 'https://app.example.com' } } as const;

describe('capacity: reserved concurrency and a webhook throttle of its own', () => {
  it('dev reserves nothing (fresh accounts have 10 concurrent executions and must keep them unreserved)', () => {
    const dev = capacityOf({});
    expect([dev.webhook, dev.scheduled, dev.admin]).toEqual([undefined, undefined, undefined]);
  });

  it('prod reserves 50 for the webhook and 1 for the scheduled reconcile (no overlapping runs)', () => {
    const prod = capacityOf(PROD);
    expect([prod.webhook, prod.scheduled, prod.admin]).toEqual([50, 1, undefined]);
  });

  it('takes both from the stage config, 0 meaning not reserved', () => {
    const custom = capacityOf({
      ...PROD,
      overrides: { ...PROD.overrides, webhookReservedConcurrency: '5', reconcileReservedConcurrency: 0 },
    });
    expect([custom.webhook, custom.scheduled]).toEqual([5, undefined]);
    expect(() => parseStageConfig({ stage: 'dev', overrides: { webhookReservedConcurrency: -1 } })).toThrow(
      /webhookReservedConcurrency/,
    );
  });

  it('throttles the webhook route with its own route settings, after the route exists', () => {
    const dev = capacityOf({});
    expect(dev.stage?.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(dev.stage?.Properties.RouteSettings).toEqual({
      'POST /webhooks/stripe': { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
    });
    expect(dev.routeIds).toHaveLength(1);
    expect(dev.stage?.DependsOn).toEqual(expect.arrayContaining(dev.routeIds));

    const prod = capacityOf({
      ...PROD,
      overrides: { ...PROD.overrides, webhookThrottle: '{"rateLimit":300,"burstLimit":600}' },
    });
    expect(prod.stage?.Properties.RouteSettings).toEqual({
      'POST /webhooks/stripe': { ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 },
    });
  });
});
