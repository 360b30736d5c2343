import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { type AppTriggers, updateRequestFor, withAppTriggers, withoutAppTriggers } from './update-request';

/** The custom resource's properties (lib/adopted-pool/pool-triggers.ts). */
interface Properties {
  UserPoolId: string;
  PreSignUp: string;
  PostConfirmation: string;
}

const cognito = new CognitoIdentityProviderClient({});

/**
 * Custom resource: attaches (Create/Update) or detaches (Delete) the app's Pre-Signup and Post-Confirmation
 * triggers on a user pool the stack does not own, reading the pool first so nothing else changes. It answers
 * CloudFormation itself (the ResponseURL), always, so a failure fails the deploy instead of hanging it.
 */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const props = event.ResourceProperties as unknown as Properties & { ServiceToken: string };
  const attachedId = `${props.UserPoolId}/app-triggers`;
  let physicalId = attachedId;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = `See CloudWatch log stream ${context.logStreamName}`;
  try {
    if (event.RequestType === 'Delete') {
      // Only what a successful Create/Update attached (a failed Create answered another id: nothing to undo). After
      // a pool id change CloudFormation deletes the old resource, which detaches from the old pool.
      physicalId = event.PhysicalResourceId;
      if (physicalId === attachedId) await apply(props, 'detach');
    } else {
      await apply(props, 'attach');
    }
  } catch (error) {
    status = 'FAILED';
    if (event.RequestType === 'Create') physicalId = `${attachedId}/failed`;
    reason = `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (${reason})`;
    console.error(JSON.stringify({ message: 'pool triggers change failed', error: reason }));
  }
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      Status: status,
      Reason: reason.slice(0, 3000),
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  });
  if (!response.ok) throw new Error(`CloudFormation response PUT answered ${response.status}`);
}

async function apply(props: Properties, change: 'attach' | 'detach'): Promise<void> {
  const ours: AppTriggers = { PreSignUp: props.PreSignUp, PostConfirmation: props.PostConfirmation };
  const described = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: props.UserPoolId }));
  const pool = described.UserPool;
  if (!pool) throw new Error(`user pool ${props.UserPoolId} not found`);
  const lambdaConfig =
    change === 'attach' ? withAppTriggers(pool.LambdaConfig, ours) : withoutAppTriggers(pool.LambdaConfig, ours);
  await cognito.send(new UpdateUserPoolCommand(updateRequestFor(pool, lambdaConfig)));
  console.log(JSON.stringify({ message: `app triggers ${change}ed`, userPoolId: props.UserPoolId }));
}
