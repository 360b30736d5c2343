import { z } from 'zod';
import { CreditPacks } from '../domain/credit-packs';
import { PlanCatalog } from '../domain/plan-catalog';
import { deleteAccountResponseSchema } from './account-schemas';
import { overrideResponseSchema } from './admin-schemas';
import {
  checkoutSessionRequestSchema,
  checkoutSessionResponseSchema,
  errorResponseSchema,
  grantOverrideBodySchema,
  portalSessionRequestSchema,
  portalSessionResponseSchema,
  revokeOverrideQuerySchema,
  statusWithCreditsResponseSchema,
  subscriptionStatusResponseSchema,
} from './api-schemas';
import {
  consumeCreditsRequestSchema,
  consumeCreditsResponseSchema,
  insufficientCreditsResponseSchema,
} from './credit-schemas';

/**
 * The OpenAPI 3.1 document of the frontend API, generated from the very zod schemas the handlers validate with
 * (zod 4's `z.toJSONSchema`, JSON Schema 2020-12 = OpenAPI 3.1's dialect). Pure and deterministic: the committed
 * docs/openapi.json is this document for the default catalog (`npx tsx scripts/generate-openapi.ts`).
 */

type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as JsonObject;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: string) => ({ 'application/json': { schema: ref(name) } });

const ERRORS = {
  '400': 'Malformed JSON or a field that fails validation; the message names the field.',
  '401': 'Missing, expired or invalid token.',
  '403':
    'The token is valid but not enough for this route (e.g. `reauthentication_required`: sign in again first; ' +
    '`forbidden`: an admin route and the caller is not in `admins` now).',
  '404': 'Not found (e.g. `user_not_found` on an admin route).',
  '409': 'Conflict with the current state.',
  '500': 'Unexpected error (details are logged, never returned).',
  '503': 'Stripe or DynamoDB is temporarily unavailable; retry after the `Retry-After` seconds.',
} as const;

function errors(...codes: (keyof typeof ERRORS)[]): JsonObject {
  return Object.fromEntries(codes.map((code) => [code, { description: ERRORS[code], content: jsonContent('Error') }]));
}

const bearer = [{ cognitoJwt: [] }];

/** A property that is another component (the status inside an override result) as a $ref, not a second copy. */
function withPropertyRef(schema: JsonObject, property: string, component: string): JsonObject {
  const properties = schema.properties as Record<string, JsonObject>;
  const { description } = properties[property] ?? {};
  return { ...schema, properties: { ...properties, [property]: { ...ref(component), description } } };
}

/** A strict object schema's fields as OpenAPI query parameters (required unless optional). */
function queryParameters(schema: z.ZodObject): JsonObject[] {
  const json = schemaOf(schema, 'input') as { properties: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

export function buildOpenApiDocument(
  catalog: PlanCatalog = PlanCatalog.defaults(),
  creditPacks: CreditPacks = CreditPacks.defaults(),
): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Entitlements frontend API',
      version: '1.0.0',
      description:
        'Subscription status, Stripe Checkout, the billing portal, the free trial, credits, account deletion, and the ' +
        "operators' override routes. Every route but /openapi.json needs a Cognito ID token: `Authorization: " +
        'Bearer <id token>`. The caller is the token `sub`; /admin/* routes need a member of `admins` (checked live).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: {
      '/subscription/status': {
        get: {
          operationId: 'getSubscriptionStatus',
          summary: 'The caller entitlement, time applied at read, and credit balance (never cached).',
          security: bearer,
          responses: {
            '200': {
              description: 'Current status and credit balance.',
              content: jsonContent('SubscriptionStatusWithCredits'),
            },
            ...errors('401', '404', '500', '503'),
          },
        },
      },
      '/checkout/sessions': {
        post: {
          operationId: 'createCheckoutSession',
          summary: 'Start a Stripe Checkout for a subscription or a one-time credit pack.',
          security: bearer,
          requestBody: { required: true, content: jsonContent('CheckoutSessionRequest') },
          responses: {
            '201': { description: 'Session created; redirect to `url`.', content: jsonContent('CheckoutSession') },
            ...errors('400', '401', '404', '409', '500', '503'),
          },
        },
      },
      '/billing/portal-sessions': {
        post: {
          operationId: 'createPortalSession',
          summary: 'Open the Stripe customer portal for the caller.',
          security: bearer,
          requestBody: { required: false, content: jsonContent('PortalSessionRequest') },
          responses: {
            '201': { description: 'Session created; redirect to `url`.', content: jsonContent('PortalSession') },
            ...errors('400', '401', '404', '500'),
            '503': {
              description:
                'Stripe or DynamoDB is temporarily unavailable (`service_unavailable`: retry after the `Retry-After` ' +
                'seconds), or `portal_not_configured`: the Stripe account has no customer-portal configuration yet ' +
                '(an operator must save the portal settings in the Stripe Dashboard; retrying does not help until then).',
              content: jsonContent('Error'),
            },
          },
        },
      },
      '/subscription/trial': {
        post: {
          operationId: 'startTrial',
          summary: 'Start the no-card trial (once per user).',
          security: bearer,
          responses: {
            '201': { description: 'Trial started; the new status.', content: jsonContent('SubscriptionStatus') },
            ...errors('400', '401', '404', '409', '500', '503'),
          },
        },
      },
      '/credits/consume': {
        post: {
          operationId: 'consumeCredits',
          summary:
            'Consume credits once per idempotency key (the `Idempotency-Key` header or `idempotencyKey`): atomic, never ' +
            'below zero; a replay within 24 hours answers the first result.',
          security: bearer,
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Required unless the body has `idempotencyKey` (both: equal). 1 to 255 printable ASCII.',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: jsonContent('ConsumeCreditsRequest') },
          responses: {
            '200': {
              description: 'Consumed (or the first answer of a replayed key).',
              content: jsonContent('CreditsConsumed'),
            },
            ...errors('400', '401', '500', '503'),
            '409': {
              description:
                '`insufficient_credits` (body `InsufficientCredits`, with the balance; nothing debited) or ' +
                '`idempotency_key_reused` (the key consumed another amount).',
              content: { 'application/json': { schema: { oneOf: [ref('InsufficientCredits'), ref('Error')] } } },
            },
          },
        },
      },
      '/account': {
        delete: {
          operationId: 'deleteAccount',
          summary:
            'Delete the caller account: Stripe subscriptions and customer per stage settings, the Cognito user, the rows. ' +
            'Needs a sign-in within the last 5 minutes. Idempotent: a repeated request answers the same.',
          security: bearer,
          responses: {
            '200': { description: 'The account is deleted.', content: jsonContent('AccountDeleted') },
            ...errors('401', '403', '500', '503'),
          },
        },
      },
      '/admin/overrides': {
        post: {
          operationId: 'grantOverride',
          summary:
            'Operators: grant a user a plan until `endsAt` or until revoked, with a reason (audited). It wins while ' +
            'active; the Stripe state is kept beneath it and takes over when it ends. Refusals write nothing: 400 ' +
            '`unknown_plan`, `end_date_in_past`, `reason_required`, `invalid_request`; 404 `user_not_found`.',
          security: bearer,
          requestBody: { required: true, content: jsonContent('GrantOverrideRequest') },
          responses: {
            '200': {
              description: 'The override is stored; the user status now.',
              content: jsonContent('OverrideResult'),
            },
            ...errors('400', '401', '403', '404', '409', '500', '503'),
          },
        },
        delete: {
          operationId: 'revokeOverride',
          summary:
            'Operators: revoke a user override (audited, with the optional reason): the Stripe state applies at once. ' +
            'A user without an override answers `changed: false`.',
          security: bearer,
          parameters: queryParameters(revokeOverrideQuerySchema),
          responses: {
            '200': {
              description: 'The override is gone; the user status now.',
              content: jsonContent('OverrideResult'),
            },
            ...errors('400', '401', '403', '404', '409', '500', '503'),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document.',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1 document.', content: { 'application/json': {} } } },
        },
      },
    },
    components: {
      securitySchemes: {
        cognitoJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Cognito ID token of the SPA app client.',
        },
      },
      schemas: {
        Error: schemaOf(errorResponseSchema, 'output'),
        SubscriptionStatus: schemaOf(subscriptionStatusResponseSchema, 'output'),
        SubscriptionStatusWithCredits: schemaOf(statusWithCreditsResponseSchema, 'output'),
        CheckoutSessionRequest: schemaOf(checkoutSessionRequestSchema(catalog, creditPacks), 'input'),
        CheckoutSession: schemaOf(checkoutSessionResponseSchema, 'output'),
        PortalSessionRequest: schemaOf(portalSessionRequestSchema, 'input'),
        PortalSession: schemaOf(portalSessionResponseSchema, 'output'),
        AccountDeleted: schemaOf(deleteAccountResponseSchema, 'output'),
        GrantOverrideRequest: schemaOf(grantOverrideBodySchema, 'input'),
        OverrideResult: withPropertyRef(schemaOf(overrideResponseSchema, 'output'), 'status', 'SubscriptionStatus'),
        ConsumeCreditsRequest: schemaOf(consumeCreditsRequestSchema, 'input'),
        CreditsConsumed: schemaOf(consumeCreditsResponseSchema, 'output'),
        InsufficientCredits: schemaOf(insufficientCreditsResponseSchema, 'output'),
      },
    },
  };
}
