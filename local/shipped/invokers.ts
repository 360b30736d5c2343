import type { RouteDefinition } from '../../lib/route-table';
import { TRIGGER_FUNCTIONS } from '../backend';
import type { HttpHandler } from '../gateway';
import type { AuthorizerLoader } from '../gateway/lambda-authorizer';
import type { LambdaFunction } from '../lambda-invoke';
import type { ShippedFunctions } from './shipped-functions';

/**
 * How the local gateway and cognito-local reach the shipped bundles: by what the templates say (route keys and
 * integrations, the pool's LambdaConfig), never by the route table or module names, so a wiring mistake in CDK
 * shows up here as it would in AWS.
 */

export function shippedRouteLoader(shipped: ShippedFunctions) {
  return async (route: RouteDefinition): Promise<HttpHandler | undefined> => {
    const deployed = shipped.app.routes.find((r) => r.method === route.method && r.path === route.path);
    if (!deployed) return undefined;
    const expected = route.auth === 'entitlements' ? 'custom' : route.auth;
    if (deployed.auth !== expected) {
      throw new Error(
        `${route.method} ${route.path}: the template's auth is ${deployed.auth}, the route table's ${route.auth}`,
      );
    }
    const fn = shipped.functions.get(deployed.functionLogicalId);
    if (!fn) throw new Error(`${route.method} ${route.path}: no function ${deployed.functionLogicalId}`);
    return (event) => fn.invoke(event);
  };
}

/** The Lambda authorizer the template puts on a route: its function, identity sources and cache TTL. */
export function shippedAuthorizerLoader(shipped: ShippedFunctions): AuthorizerLoader {
  return async (route) => {
    const deployed = shipped.app.routes.find((r) => r.method === route.method && r.path === route.path);
    const authorizer = deployed?.authorizer;
    if (!authorizer) return undefined;
    if (!authorizer.simpleResponses || authorizer.payloadFormatVersion !== '2.0') {
      throw new Error(`${route.method} ${route.path}: only payload 2.0 authorizers with simple responses are emulated`);
    }
    const fn = shipped.functions.get(authorizer.functionLogicalId);
    if (!fn) throw new Error(`${route.method} ${route.path}: no authorizer function ${authorizer.functionLogicalId}`);
    return {
      id: authorizer.functionLogicalId,
      identitySource: authorizer.identitySource,
      ttlSeconds: authorizer.ttlSeconds,
      invoke: (event) => fn.invoke(event),
    };
  };
}

export function registerShippedTriggers(functions: Map<string, LambdaFunction>, shipped: ShippedFunctions): void {
  for (const [trigger, name] of Object.entries(TRIGGER_FUNCTIONS)) {
    const logicalId = shipped.app.triggers[trigger as keyof typeof TRIGGER_FUNCTIONS];
    const fn = logicalId ? shipped.functions.get(logicalId) : undefined;
    if (!fn) throw new Error(`the user pool has no ${trigger} trigger in the templates`);
    functions.set(name, (event) => fn.invoke(event));
  }
}

/** One EventBridge scheduled event to every scheduled function, as the rule would send it. */
export async function runSchedules(shipped: ShippedFunctions, now = new Date()): Promise<unknown[]> {
  return Promise.all(
    shipped.app.schedules.map((schedule) => {
      const fn = shipped.functions.get(schedule.functionLogicalId);
      if (!fn) throw new Error(`schedule ${schedule.expression}: no function ${schedule.functionLogicalId}`);
      return fn.invoke({
        version: '0',
        id: crypto.randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: now.toISOString(),
        region: 'us-east-1',
        resources: [],
        detail: {},
      });
    }),
  );
}
