import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stageEnvironment } from '../../../scripts/stage-outputs';

const cfn = mockClient(CloudFormationClient);

const outputs = (pairs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: 'x',
      CreationTime: new Date(),
      StackStatus: 'CREATE_COMPLETE' as const,
      Outputs: Object.entries(pairs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

describe('stageEnvironment (deployed stage outputs -> Lambda environment)', () => {
  beforeEach(() => {
    cfn.reset();
    cfn.on(DescribeStacksCommand, { StackName: 'prod-Data' }).resolves(
      outputs({
        UserProfilesTableName: 'prod-Data-UserProfiles-1',
        EntitlementsTableName: 'prod-Data-Entitlements-2',
        StripeApiKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:stripe',
      }),
    );
    cfn.on(DescribeStacksCommand, { StackName: 'prod-Auth' }).resolves(outputs({ UserPoolId: 'eu-west-1_abc' }));
  });

  it('maps the stack outputs to the env contract and lets set variables win', async () => {
    const env = await stageEnvironment(
      'prod',
      { ENTITLEMENTS_TABLE: 'override', AUDIT_TABLE: '  ' },
      new CloudFormationClient({}),
    );
    expect(env).toMatchObject({
      USER_PROFILES_TABLE: 'prod-Data-UserProfiles-1',
      ENTITLEMENTS_TABLE: 'override',
      USER_POOL_ID: 'eu-west-1_abc',
      STRIPE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:stripe',
    });
    expect(env.AUDIT_TABLE).toBeUndefined();
  });

  it('names the stack it could not read', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'prod-Auth' })
      .rejects(new Error('Stack with id prod-Auth does not exist'));
    await expect(stageEnvironment('prod', {}, new CloudFormationClient({}))).rejects.toThrow(
      /stage prod: cannot read the outputs of stack prod-Auth \(Stack with id prod-Auth does not exist\)/,
    );
  });
});
