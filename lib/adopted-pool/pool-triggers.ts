import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { AppFunction } from '../constructs/app-function';
import { suppressPassRoleToCognito } from '../nag-suppressions';
import type { StageConfig } from '../stage-config';

export interface AdoptedPoolTriggersProps {
  readonly config: StageConfig;
  /** A pool this app does not own (`UserPool.fromUserPoolId`). */
  readonly userPool: IUserPool;
  readonly preSignUp: IFunction;
  readonly postConfirmation: IFunction;
}

/**
 * Attaches the app's Pre-Signup and Post-Confirmation triggers to an adopted user pool. CDK cannot (an imported
 * pool has no LambdaConfig to set), and UpdateUserPool alone would reset every setting it is not given, so a
 * custom resource reads the pool (DescribeUserPool) and writes it back with only the two triggers changed
 * (lib/adopted-pool/update-request.ts); deleting the stack, or adopting another pool, detaches them again (only
 * where they still point at our functions). Cognito may invoke the two functions, for this pool only.
 */
export class AdoptedPoolTriggers extends Construct {
  readonly handler: AppFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: AdoptedPoolTriggersProps) {
    super(scope, id);
    const { userPool } = props;
    this.handler = new AppFunction(this, 'Handler', {
      entry: 'lib/adopted-pool/handler.ts',
      config: props.config,
      serviceName: 'adopted-pool-triggers',
      description: 'Custom resource: attaches the app triggers to the adopted user pool, keeping its other settings',
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
        resources: [userPool.userPoolArn],
      }),
    );
    const passRole = new iam.Policy(this, 'PassSmsRole', {
      roles: [this.handler.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: ['*'],
          conditions: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } },
        }),
      ],
    });
    suppressPassRoleToCognito(passRole);

    for (const [name, fn] of [
      ['PreSignUp', props.preSignUp],
      ['PostConfirmation', props.postConfirmation],
    ] as const) {
      fn.addPermission(`${name}CognitoInvoke`, {
        principal: new iam.ServicePrincipal('cognito-idp.amazonaws.com'),
        sourceArn: userPool.userPoolArn,
        sourceAccount: Stack.of(this).account,
      });
    }

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.fn.functionArn,
      resourceType: 'Custom::AdoptedPoolTriggers',
      properties: {
        UserPoolId: userPool.userPoolId,
        PreSignUp: props.preSignUp.functionArn,
        PostConfirmation: props.postConfirmation.functionArn,
      },
    });
    this.resource.node.addDependency(passRole);
  }
}
