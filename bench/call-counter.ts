import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type Stripe from 'stripe';

/**
 * Counts real API calls with SDK hooks (not estimates): an AWS SDK middleware per client, and the Stripe client's
 * `request` event. Counts are per command / per Stripe path, so a report can tell reads from writes.
 */
export class CallCounter {
  readonly dynamodb = new Map<string, number>();
  readonly cognito = new Map<string, number>();
  readonly stripe = new Map<string, number>();

  private static bump(map: Map<string, number>, key: string) {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  watchDynamo(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => (args) => {
        CallCounter.bump(this.dynamodb, context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter', override: true },
    );
  }

  watchCognito(client: CognitoIdentityProviderClient): void {
    client.middlewareStack.add(
      (next, context) => (args) => {
        CallCounter.bump(this.cognito, context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter', override: true },
    );
  }

  watchStripe(client: Stripe): void {
    client.on('request', (event: { method: string; path: string }) => {
      CallCounter.bump(
        this.stripe,
        `${event.method} ${(event.path.split('?')[0] ?? '').replace(/\/(cus|sub|evt|cs|pi|in)_[A-Za-z0-9]+/g, '/$1_*')}`,
      );
    });
  }

  static total(map: Map<string, number>, filter: (key: string) => boolean = () => true): number {
    let sum = 0;
    for (const [key, count] of map) if (filter(key)) sum += count;
    return sum;
  }

  reset(): void {
    this.dynamodb.clear();
    this.cognito.clear();
    this.stripe.clear();
  }
}

export const DYNAMO_READS = new Set(['GetCommand', 'QueryCommand', 'ScanCommand', 'BatchGetCommand', 'GetItemCommand']);
export const isDynamoRead = (command: string) => DYNAMO_READS.has(command);
