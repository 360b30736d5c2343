import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { stageEndpoints } from '../../../scripts/stage-outputs';

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

describe('stageEndpoints (how smoke and id-token reach a stage)', () => {
  beforeEach(() => {
    cfn.reset();
    cfn
      .on(DescribeStacksCommand, { StackName: 'prod-Auth' })
      .resolves(outputs({ UserPoolId: 'eu-west-1_abc', UserPoolClientId: 'client-1' }));
    cfn
      .on(DescribeStacksCommand, { StackName: 'prod-Api' })
      .resolves(outputs({ ApiUrl: 'https://id.execute-api.eu-west-1.amazonaws.com/' }));
    cfn.on(DescribeStacksCommand, { StackName: 'prod-Data' }).resolves(
      outputs({
        UserProfilesTableName: 'prod-Data-UserProfiles-1',
        EntitlementsTableName: 'prod-Data-Entitlements-2',
      }),
    );
  });

  it('reads a deployed stage from its outputs: API URL without the trailing slash, region from the pool id', async () => {
    // Act
    const endpoints = await stageEndpoints('prod', {}, { cloudFormation: new CloudFormationClient({}) });

    // Assess
    expect(endpoints).toEqual({
      stage: 'prod',
      region: 'eu-west-1',
      apiUrl: 'https://id.execute-api.eu-west-1.amazonaws.com',
      userPoolId: 'eu-west-1_abc',
      userPoolClientId: 'client-1',
      tables: { userProfiles: 'prod-Data-UserProfiles-1', entitlements: 'prod-Data-Entitlements-2' },
    });
  });

  it('names the missing output', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand, { StackName: 'prod-Api' }).resolves(outputs({}));

    // Act
    const result = stageEndpoints('prod', {}, { cloudFormation: new CloudFormationClient({}) });

    // Assess
    await expect(result).rejects.toThrow('stage prod: stack prod-Api has no output ApiUrl');
  });

  it('reads the local stack from $LOCAL_DIR/stack.json, and says to start it when absent', async () => {
    // Prepare
    const stackJson = JSON.stringify({
      apiUrl: 'http://127.0.0.1:3000',
      region: 'us-east-1',
      userPoolId: 'local_1',
      userPoolClientId: 'spa',
      cognitoEndpoint: 'http://127.0.0.1:9229',
      dynamodbEndpoint: 'http://127.0.0.1:8000',
      tables: { userProfiles: 'UserProfiles', entitlements: 'Entitlements' },
    });
    const readFile = ((file: string) => {
      if (file === '/state/stack.json') return stackJson;
      throw new Error('ENOENT');
    }) as never;

    // Act
    const local = await stageEndpoints('local', { LOCAL_DIR: '/state' }, { readFile });
    const missing = stageEndpoints('local', { LOCAL_DIR: '/nowhere' }, { readFile });

    // Assess
    expect(local).toMatchObject({
      stage: 'local',
      apiUrl: 'http://127.0.0.1:3000',
      cognitoEndpoint: 'http://127.0.0.1:9229',
      tables: { userProfiles: 'UserProfiles', entitlements: 'Entitlements' },
    });
    await expect(missing).rejects.toThrow('/nowhere/stack.json not found: start the local stack first (npm start)');
    expect(cfn.calls()).toHaveLength(0);
  });
});
