import type { Context } from 'aws-lambda';
import type { AccessDecision, AccessRequirement } from '../domain/feature-gate';
import { UnauthenticatedError } from './auth';
import { featureDenied } from './feature-denied';
import type { HttpResult } from './http';
import { errorResponse, type HttpEvent } from './http-handler';

/**
 * The feature gate at the HTTP edge of a Lambda: one object that is both a Middy middleware (`before` answers the
 * 403 and skips the handler, Middy's early response) and a plain function (`await gate(event)` returns the denial
 * response, or undefined when the caller may go on). The decision itself comes from `check` (the use case in
 * use-cases/gate/feature-gate.ts, built by wiring/feature-gate.ts).
 *
 * The caller is the verified `sub` of the route's authorizer: the Cognito JWT authorizer's claims, or the context
 * of this project's Lambda authorizer. No sub answers 401; an unreadable record answers 503 (fail closed).
 */

export type AccessCheck = (sub: string, requirement: AccessRequirement) => Promise<AccessDecision>;

export interface GateHttpOptions {
  /** Sent as `upgradeUrl` in every denial (e.g. your pricing page). */
  upgradeUrl?: string;
}

/** Middy's request object, as far as the gate reads it. */
export interface MiddyLikeRequest {
  event: HttpEvent;
  context?: Context;
}

export interface GateMiddleware {
  /** Plain function: the denial (403, 401 or 503) to return, or undefined when the caller may proceed. */
  (event: HttpEvent): Promise<HttpResult | undefined>;
  /** Middy `before`: returning a response ends the request early (https://middy.js.org/docs/intro/early-interrupt). */
  before(request: MiddyLikeRequest): Promise<HttpResult | undefined>;
  readonly requirement: AccessRequirement;
}

type AuthorizerContext = {
  jwt?: { claims?: Record<string, unknown> };
  lambda?: Record<string, unknown>;
};

/** The verified caller: JWT authorizer claims, else the Lambda authorizer's context (`sub`). */
export function verifiedSubOf(event: Pick<HttpEvent, 'requestContext'>): string {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  const candidates = [authorizer?.jwt?.claims?.sub, authorizer?.lambda?.sub];
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
  }
  throw new UnauthenticatedError('no verified sub in the authorizer context');
}

export function gateMiddleware(
  check: AccessCheck,
  requirement: AccessRequirement,
  options: GateHttpOptions = {},
): GateMiddleware {
  const gate = async (event: HttpEvent): Promise<HttpResult | undefined> => {
    try {
      const decision = await check(verifiedSubOf(event), requirement);
      return decision.allowed ? undefined : featureDenied(decision, options.upgradeUrl);
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(gate, {
    before: (request: MiddyLikeRequest) => gate(request.event),
    requirement,
  });
}

/** Wraps a handler so it runs only for callers the gates let through (checked in order, the first denial answers). */
export function withGates<R>(
  gates: readonly GateMiddleware[],
  handler: (event: HttpEvent, context?: Context) => Promise<R>,
): (event: HttpEvent, context?: Context) => Promise<R | HttpResult> {
  return async (event, context) => {
    for (const gate of gates) {
      const denied = await gate(event);
      if (denied) return denied;
    }
    return handler(event, context);
  };
}
