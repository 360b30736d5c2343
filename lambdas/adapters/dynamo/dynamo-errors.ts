import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** True when a conditional write lost (the item changed or already existed): a domain outcome, not a failure. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
