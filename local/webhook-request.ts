import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The API Gateway HTTP API (payload 2.0) event a Stripe delivery to `POST /webhooks/stripe` becomes, for invoking
 * the webhook handler in-process (tests, benchmarks). `headers` carries the Stripe-Signature (or deliberately not).
 */
export function webhookRequest(options: {
  payload: string;
  headers: Record<string, string>;
  base64?: boolean;
  requestId: string;
  at?: Date;
}): APIGatewayProxyEventV2 {
  const at = options.at ?? new Date();
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/stripe',
    rawPath: '/webhooks/stripe',
    rawQueryString: '',
    headers: options.headers,
    isBase64Encoded: options.base64 === true,
    body: options.base64 ? Buffer.from(options.payload, 'utf8').toString('base64') : options.payload,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/webhooks/stripe',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Stripe/1.0',
      },
      requestId: options.requestId,
      routeKey: 'POST /webhooks/stripe',
      stage: '$default',
      time: at.toISOString(),
      timeEpoch: at.getTime(),
    },
  };
}
