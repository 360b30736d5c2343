import { describe, expect, it } from 'vitest';
import { CodedConflictError } from '../../../lambdas/domain/coded-errors';
import {
  ConflictError,
  DependencyUnavailableError,
  InvalidInputError,
  NotFoundError,
} from '../../../lambdas/domain/errors';
import { UnauthenticatedError } from '../../../lambdas/platform/auth';
import { json } from '../../../lambdas/platform/http';
import { errorResponse, jwtRoute } from '../../../lambdas/platform/http-handler';
import { bodyOf, jwtEvent, SUB } from '../../support/api-doubles';

describe('JWT route error mapping', () => {
  it.each([
    [new InvalidInputError('plan: bad'), 400, 'invalid_request', 'plan: bad'],
    [new UnauthenticatedError('no sub'), 401, 'unauthenticated', undefined],
    [new NotFoundError('gone'), 404, 'not_found', 'gone'],
    [new ConflictError('busy'), 409, 'conflict', 'busy'],
    [new CodedConflictError('already_subscribed', 'use the portal'), 409, 'already_subscribed', 'use the portal'],
    [
      new DependencyUnavailableError('stripe', 'stripe x failed (secret detail)'),
      503,
      'service_unavailable',
      undefined,
    ],
    [new Error('internal detail'), 500, 'internal_error', undefined],
    ['a thrown string', 500, 'internal_error', undefined],
  ])('%s -> %i %s', (error, status, code, message) => {
    // Act
    const result = errorResponse(error);
    // Assess
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result).error?.code).toBe(code);
    if (message) expect(bodyOf(result).error?.message).toBe(message);
    expect(result.body).not.toMatch(/secret detail|internal detail|at .*\.ts/);
  });

  it('adds a retry hint to 503', () => {
    // Act
    const result = errorResponse(new DependencyUnavailableError('dynamodb', 'down'));
    // Assess
    expect(result.headers['retry-after']).toBe('2');
  });

  it('hands the verified caller to the route and returns its response', async () => {
    // Prepare
    const route = jwtRoute(async (_event, caller) => json(200, { sub: caller.sub, groups: caller.groups }));
    // Act
    const result = await route(jwtEvent({ claims: { 'cognito:groups': '[pro admins]' } }));
    // Assess
    expect(bodyOf(result)).toEqual({ sub: SUB, groups: ['pro', 'admins'] });
  });
});
