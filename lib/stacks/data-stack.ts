import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { suppressStripeSecretRotation } from '../nag-suppressions';
import type { StageConfig } from '../stage-config';
import { type KeyAttribute, TABLES, type TableKey } from '../table-definitions';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

/** The Stripe secrets: values are set by the operator after the first deploy, never by CDK. */
export interface StripeSecrets {
  /** Stripe secret (or restricted) API key, `sk_live_...` / `rk_live_...`. Lambda env: STRIPE_SECRET_ARN. */
  readonly apiKey: secretsmanager.ISecret;
  /** Signing secret of the webhook endpoint, `whsec_...`. Lambda env: STRIPE_WEBHOOK_SECRET_ARN. */
  readonly webhookSigningSecret: secretsmanager.ISecret;
}

const attributeType = (key: KeyAttribute) =>
  key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER;

/**
 * Everything that holds state: the tables of TABLES and the Stripe secrets. Physical names are generated;
 * tables and secrets are RETAINed on stack deletion, and tables get deletion protection outside dev.
 */
export class DataStack extends Stack {
  readonly tables: Readonly<Record<TableKey, dynamodb.Table>>;
  readonly stripeSecrets: StripeSecrets;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    const tables: Partial<Record<TableKey, dynamodb.Table>> = {};
    for (const [key, definition] of Object.entries(TABLES) as [TableKey, (typeof TABLES)[TableKey]][]) {
      const sortKey: KeyAttribute | undefined = 'sortKey' in definition ? definition.sortKey : undefined;
      const ttlAttribute: string | undefined = 'ttlAttribute' in definition ? definition.ttlAttribute : undefined;
      const table = new dynamodb.Table(this, `${definition.localName}Table`, {
        partitionKey: { name: definition.partitionKey.name, type: attributeType(definition.partitionKey) },
        sortKey: sortKey ? { name: sortKey.name, type: attributeType(sortKey) } : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: config.deletionProtection,
        removalPolicy: RemovalPolicy.RETAIN,
        timeToLiveAttribute: ttlAttribute,
      });
      for (const index of definition.globalIndexes as readonly TableIndex[]) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: { name: index.partitionKey.name, type: attributeType(index.partitionKey) },
          sortKey: index.sortKey ? { name: index.sortKey.name, type: attributeType(index.sortKey) } : undefined,
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      tables[key] = table;
      new CfnOutput(this, `${definition.localName}TableName`, {
        value: table.tableName,
        description: `${definition.localName} table (Lambda env ${definition.envVar})`,
      });
    }
    this.tables = tables as Record<TableKey, dynamodb.Table>;

    const afterDeploy = (what: string, source: string) =>
      `${what} for stage ${config.stage}. CDK creates a random placeholder; the operator sets the real value after ` +
      `deploy: aws secretsmanager put-secret-value --secret-id <this secret's ARN> --secret-string <${source}>`;
    const apiKey = new secretsmanager.Secret(this, 'StripeApiKey', {
      description: afterDeploy(
        'Stripe secret API key (secret or restricted key)',
        'key from Stripe Dashboard > Developers > API keys',
      ),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const webhookSigningSecret = new secretsmanager.Secret(this, 'StripeWebhookSigningSecret', {
      description: afterDeploy(
        'Stripe webhook endpoint signing secret',
        'signing secret of the endpoint in Stripe Dashboard > Webhooks',
      ),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppressStripeSecretRotation(apiKey);
    suppressStripeSecretRotation(webhookSigningSecret);
    this.stripeSecrets = { apiKey, webhookSigningSecret };

    new CfnOutput(this, 'StripeApiKeySecretArn', { value: apiKey.secretArn });
    new CfnOutput(this, 'StripeWebhookSigningSecretArn', { value: webhookSigningSecret.secretArn });
  }
}

interface TableIndex {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}
