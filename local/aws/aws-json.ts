/** AWS JSON-protocol responses (DynamoDB: 1.0, Cognito and Secrets Manager: 1.1), shaped as the SDK parses them. */

export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function awsJson(body: unknown, contentType = 'application/x-amz-json-1.1'): AwsResponse {
  return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/** The SDK names the thrown error after `__type` (and `x-amzn-ErrorType`), so tests can assert by class name. */
export function awsError(
  status: number,
  type: string,
  message: string,
  contentType = 'application/x-amz-json-1.1',
): AwsResponse {
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}
