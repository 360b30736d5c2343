import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDefinition, type TableKey } from '../lib/table-definitions';

export type TableNames = Record<TableKey, string>;

/** Fixed local names, optionally prefixed (tests use a prefix per run to stay apart). */
export function localTableNames(prefix = ''): TableNames {
  return Object.fromEntries(
    Object.entries(TABLES).map(([key, table]) => [key, `${prefix}${table.localName}`]),
  ) as TableNames;
}

/** The Lambda environment variables that carry the table names. */
export function tableEnv(names: TableNames): Record<string, string> {
  return Object.fromEntries(
    (Object.entries(TABLES) as [TableKey, TableDefinition][]).map(([key, table]) => [table.envVar, names[key]]),
  );
}

function createInput(definition: TableDefinition, name: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const keys = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  for (const key of keys) if (key) attributes.set(key.name, key.type);
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.globalIndexes.length
      ? {
          GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

/** Creates every table the product uses, with the same keys and GSIs as CDK. Existing tables are kept. */
export async function createTables(ddb: DynamoDBClient, names: TableNames): Promise<void> {
  const existing = new Set((await ddb.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [key, definition] of Object.entries(TABLES) as [TableKey, TableDefinition][]) {
    const name = names[key];
    if (existing.has(name)) continue;
    await ddb.send(new CreateTableCommand(createInput(definition, name)));
    if (definition.ttlAttribute) await enableTtl(ddb, name, definition.ttlAttribute);
  }
}

/** dynalite has no UpdateTimeToLive; expiry only cleans up old ledger rows, so locally they simply stay. */
async function enableTtl(ddb: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'UnknownOperationException') throw error;
  }
}
