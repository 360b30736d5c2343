import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../lib/table-definitions';
import { createTestApp, templateOf } from './support';

describe('DataStack', () => {
  // Prepare: one app for every read-only assertion below.
  const testApp = createTestApp();
  const template = templateOf(testApp.data);

  it('is named after the stage', () => {
    expect(testApp.data.stackName).toBe('dev-Data');
  });

  it('creates exactly the tables of TABLES', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(TABLES).length);
  });

  for (const [key, definition] of Object.entries(TABLES)) {
    describe(`${key} table`, () => {
      const logicalId = testApp.data.getLogicalId(
        testApp.data.tables[key as keyof typeof TABLES].node.defaultChild as never,
      );
      const resource = () => template.toJSON().Resources[logicalId];

      it('has the keys of its definition', () => {
        const keySchema = [
          { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
          ...('sortKey' in definition ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
        ];
        expect(resource().Properties.KeySchema).toEqual(keySchema);
      });

      it('has exactly its GSIs, projecting all attributes', () => {
        const indexes = (resource().Properties.GlobalSecondaryIndexes ?? []) as {
          IndexName: string;
          KeySchema: { AttributeName: string; KeyType: string }[];
          Projection: { ProjectionType: string };
        }[];
        expect(indexes.map((i) => i.IndexName).sort()).toEqual(definition.globalIndexes.map((i) => i.indexName).sort());
        for (const index of definition.globalIndexes) {
          const found = indexes.find((i) => i.IndexName === index.indexName);
          expect(found?.KeySchema).toEqual([{ AttributeName: index.partitionKey.name, KeyType: 'HASH' }]);
          expect(found?.Projection).toEqual({ ProjectionType: 'ALL' });
        }
      });

      it('is on-demand, encrypted, PITR, generated name, RETAINed', () => {
        const table = resource();
        expect(table.DeletionPolicy).toBe('Retain');
        expect(table.UpdateReplacePolicy).toBe('Retain');
        expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
        expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
        expect(table.Properties.TableName).toBeUndefined();
      });

      it('expires items only where the definition has a TTL attribute', () => {
        const ttl = 'ttlAttribute' in definition ? definition.ttlAttribute : undefined;
        expect(resource().Properties.TimeToLiveSpecification).toEqual(
          ttl ? { AttributeName: ttl, Enabled: true } : undefined,
        );
      });

      it('outputs its physical name', () => {
        template.hasOutput(`${definition.localName}TableName`, { Value: { Ref: logicalId } });
      });
    });
  }

  it('has no deletion protection on dev tables, but on every other stage', () => {
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    const staging = createTestApp({ stage: 'staging', overrides: { allowedOrigins: 'https://staging.example.com' } });
    templateOf(staging.data).allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('creates the two Stripe secrets with no value in the template, described for the operator, RETAINed', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(2);
    for (const secret of Object.values(secrets)) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.Name).toBeUndefined();
      expect(secret.Properties.Description).toMatch(/operator sets the real value after deploy/);
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('Stripe secret API key'),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('webhook endpoint signing secret'),
    });
  });
});
