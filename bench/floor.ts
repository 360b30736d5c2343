import { ConditionalCheckFailedException, CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Summary, summarize } from './stats';
import type { Delivery } from './workload';

/**
 * The floor (issue 20): the bare minimum a read-compute-write entitlement needs per delivery, run on the same
 * deliveries against the same dynalite as our handler: one consistent GetItem of the customer's item and one
 * conditional UpdateItem (newer `created` wins, ties and duplicates pass the condition as a no-op rewrite). No
 * signature, no parsing, no Stripe, no Cognito, no ledger: what is left of our latency above it is our own work.
 */
export interface FloorRun {
  mode: 'floor';
  workload: 'mix' | 'renewals';
  deliveries: number;
  wallMs: number;
  eventsPerSecond: number;
  latencyMs: Summary;
  /** Requests per delivery: always 1 read + 1 write (a failed condition still costs its write). */
  perEvent: { dynamodb: number; dynamodbReads: number; dynamodbWrites: number; stripe: 0; cognito: 0 };
  /** Conditional writes refused (an older event after a newer one). */
  refused: number;
}

export async function createFloorTable(ddb: DynamoDBClient, name: string): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
}

export async function deliverFloor(
  ddb: DynamoDBDocumentClient,
  table: string,
  deliveries: readonly Delivery[],
  workload: 'mix' | 'renewals',
): Promise<FloorRun> {
  const latencies: number[] = [];
  let wall = 0;
  let refused = 0;
  for (const delivery of deliveries) {
    const { id, created } = delivery.event as { id: string; created: number };
    const key = { pk: customerOfEvent(delivery.event) ?? id };
    const started = performance.now();
    await ddb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET lastEventId = :id, lastCreated = :created',
          ConditionExpression: 'attribute_not_exists(lastCreated) OR lastCreated <= :created',
          ExpressionAttributeValues: { ':id': id, ':created': created },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      refused += 1;
    }
    const took = performance.now() - started;
    wall += took;
    latencies.push(took);
  }
  return {
    mode: 'floor',
    workload,
    deliveries: deliveries.length,
    wallMs: wall,
    eventsPerSecond: deliveries.length / (wall / 1000),
    latencyMs: summarize(latencies),
    perEvent: { dynamodb: 2, dynamodbReads: 1, dynamodbWrites: 1, stripe: 0, cognito: 0 },
    refused,
  };
}

/** The customer an event is about (its object's `customer`, an id or expanded), the floor's item key. */
function customerOfEvent(event: unknown): string | undefined {
  const object = (event as { data?: { object?: { customer?: unknown } } }).data?.object;
  const customer = object?.customer;
  if (typeof customer === 'string') return customer;
  if (customer && typeof customer === 'object' && 'id' in customer) return String((customer as { id: unknown }).id);
  return undefined;
}
