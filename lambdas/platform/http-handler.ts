import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import {
  ConflictError,
  DependencyUnavailableError,
  InvalidInputError,
  NotConfiguredError,
  NotFoundError,
} from '../domain/errors';
import { FeatureNotInPlanError } from '../domain/feature-gate';
import { ADMIN_GROUP } from '../domain/plan-catalog-schema';
import { describeIssues } from '../domain/validation-issues';
import * as z from '../domain/zod-mini';
import { type Caller, callerOf, UnauthenticatedError } from './auth';
import { featureDenied } from './feature-denied';
import { type HttpResult, httpError, parseJsonBody, serviceUnavailable } from './http';
import { logger } from './logger';
import { SecretNotSetError } from './secrets';

/**
 * The error mapping of every JWT route, in one place: domain errors -> `{ error: { code, message } }` with a fitting
 * status; anything unexpected -> 500 with a generic message (details only in the log, never a stack trace in the
 * response).
 */

export type HttpEvent = APIGatewayProxyEventV2;
export type JwtRouteHandler = (event: HttpEvent, caller: Caller) => Promise<HttpResult>;

function codeOf(error: Error, fallback: string): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code) ? code : fallback;
}

export function errorResponse(error: unknown): HttpResult {
  if (error instanceof InvalidInputError) return httpError(400, codeOf(error, 'invalid_request'), error.message);
  if (error instanceof UnauthenticatedError) {
    return httpError(401, 'unauthenticated', 'A valid Cognito token is required (Authorization: Bearer <token>).');
  }
  if (error instanceof FeatureNotInPlanError) return featureDenied(error.decision);
  if (error instanceof NotFoundError) return httpError(404, codeOf(error, 'not_found'), error.message);
  if (error instanceof ConflictError) return httpError(409, codeOf(error, 'conflict'), error.message);
  if (error instanceof SecretNotSetError) {
    logger.error('A secret is not set', { error: error.message });
    return serviceUnavailable(error.publicMessage);
  }
  if (error instanceof NotConfiguredError) {
    // Not a retry's business: the operator must make a setting. One ERROR line per refused request.
    logger.error('A setting the operator must make is missing', {
      code: codeOf(error, 'not_configured'),
      error: error.message,
    });
    return httpError(503, codeOf(error, 'not_configured'), error.publicMessage);
  }
  if (error instanceof DependencyUnavailableError) {
    logger.warn('Dependency unavailable', { dependency: error.dependency, error: error.message });
    return serviceUnavailable(`${error.dependency} is temporarily unavailable: retry in a few seconds.`);
  }
  logger.error('Unhandled error', { error: error instanceof Error ? error : String(error) });
  return httpError(500, 'internal_error', 'Something went wrong on our side. It has been logged.');
}

/** Wraps a JWT route: resolves the caller from the verified claims and maps every thrown error to a response. */
export function jwtRoute(handle: JwtRouteHandler): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    try {
      const caller = callerOf(event);
      logger.appendKeys({ sub: caller.sub });
      try {
        return await handle(event, caller);
      } finally {
        logger.removeKeys(['sub']);
      }
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * A JWT route for administrators only: `admins.isAdmin` decides (the token's groups and live membership), every
 * other caller gets 403 before `handle` runs.
 */
export function adminRoute(
  admins: { isAdmin(caller: Caller): Promise<boolean> },
  handle: JwtRouteHandler,
): (event: HttpEvent) => Promise<HttpResult> {
  return jwtRoute(async (event, caller) => {
    if (!(await admins.isAdmin(caller))) {
      return httpError(403, 'forbidden', `Only members of the ${ADMIN_GROUP.name} group may use this route.`);
    }
    return handle(event, caller);
  });
}

/** Validates the query string with `schema`; a violation is an InvalidInputError naming every field. */
export function parseQuery<S extends $ZodType>(event: HttpEvent, schema: S): output<S> {
  const result = z.safeParse(schema, event.queryStringParameters ?? {});
  if (!result.success) throw new InvalidInputError(describeIssues(result.error, { root: 'query' }));
  return result.data;
}

/** Parses and validates a JSON body with `schema`; a violation is an InvalidInputError naming every field. */
export function parseBody<S extends $ZodType>(event: HttpEvent, schema: S): output<S> {
  const result = z.safeParse(schema, parseJsonBody(event));
  if (!result.success) throw new InvalidInputError(describeIssues(result.error, { root: 'body' }));
  return result.data;
}
