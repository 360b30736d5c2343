import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { dependencyError } from '../../domain/errors';
import type { ParkedEvent, ParkedEventStore } from '../../ports/webhook-ports';
import { isConditionFailure } from './dynamo-errors';

/** ParkedEvents table (key `eventId`, GSI CustomerIndex on `stripeCustomerId`). */
export class DynamoParkedEventStore implements ParkedEventStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async park(event: ParkedEvent): Promise<void> {
    // An empty string cannot be a GSI key: events without a customer stay out of the index.
    const { stripeCustomerId, ...rest } = event;
    const item = stripeCustomerId ? event : rest;
    try {
      await this.ddb.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(eventId)' }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw dependencyError('dynamodb', 'parked event write', error);
    }
  }

  async listByCustomer(stripeCustomerId: string): Promise<ParkedEvent[]> {
    const items: ParkedEvent[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.ddb.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'CustomerIndex',
            KeyConditionExpression: '#c = :c',
            ExpressionAttributeNames: { '#c': 'stripeCustomerId' },
            ExpressionAttributeValues: { ':c': stripeCustomerId },
            ExclusiveStartKey: start,
          }),
        );
        items.push(...((page.Items ?? []) as ParkedEvent[]).map(withCustomer));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    } catch (error) {
      throw dependencyError('dynamodb', 'parked events query', error);
    }
  }

  async listAll(): Promise<ParkedEvent[]> {
    const items: ParkedEvent[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.ddb.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }));
        items.push(...((page.Items ?? []) as ParkedEvent[]).map(withCustomer));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    } catch (error) {
      throw dependencyError('dynamodb', 'parked events scan', error);
    }
  }

  async remove(eventId: string): Promise<void> {
    try {
      await this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: { eventId } }));
    } catch (error) {
      throw dependencyError('dynamodb', 'parked event delete', error);
    }
  }
}

function withCustomer(item: ParkedEvent): ParkedEvent {
  return { ...item, stripeCustomerId: item.stripeCustomerId ?? '' };
}
