import { describe, expect, it } from 'vitest';
import { CodedConflictError, CodedNotFoundError, MisconfigurationError } from '../../../lambdas/domain/coded-errors';
import {
  AppError,
  ConflictError,
  DependencyUnavailableError,
  InvalidInputError,
  NotConfiguredError,
  NotFoundError,
  SignatureRejectedError,
} from '../../../lambdas/domain/errors';
import { InvalidCatalogError } from '../../../lambdas/domain/plan-catalog';
import { InvalidStripeEventError } from '../../../lambdas/domain/stripe-parsing';
import { UnauthenticatedError } from '../../../lambdas/platform/auth';
import { ConfigError } from '../../../lambdas/platform/config';
import { SecretNotSetError } from '../../../lambdas/platform/secrets';
import { SignUpRejectedError } from '../../../lambdas/use-cases/identity/pre-signup';
import { DeadlineExceededError } from '../../../lambdas/use-cases/webhook/receive-delivery';

describe('one error base', () => {
  const cause = new Error('root cause');
  const errors: [string, Error][] = [
    ['DependencyUnavailableError', new DependencyUnavailableError('dynamodb', 'down', { cause })],
    ['InvalidInputError', new InvalidInputError('bad')],
    ['NotFoundError', new NotFoundError('none')],
    ['ConflictError', new ConflictError('taken')],
    ['SignatureRejectedError', new SignatureRejectedError('mismatch', 'no match', { cause })],
    ['NotConfiguredError', new NotConfiguredError('unset', 'set it', { cause })],
    // Coded errors carry their family's name: handlers and logs treat them as that family, with a code.
    ['ConflictError', new CodedConflictError('already_subscribed', 'x')],
    ['NotFoundError', new CodedNotFoundError('no_billing_account', 'x')],
    ['MisconfigurationError', new MisconfigurationError('x')],
    ['InvalidCatalogError', new InvalidCatalogError('x')],
    ['InvalidStripeEventError', new InvalidStripeEventError('x')],
    ['UnauthenticatedError', new UnauthenticatedError('x')],
    ['ConfigError', new ConfigError('x')],
    ['SecretNotSetError', new SecretNotSetError('arn', 'x', 'y')],
    ['SignUpRejectedError', new SignUpRejectedError('duplicate', 'x')],
    ['DeadlineExceededError', new DeadlineExceededError('x')],
  ];

  it.each(errors)('%s is an AppError and keeps its name (bundles minify class names)', (name, error) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error.name).toBe(name);
  });

  it('keeps the cause it was given', () => {
    const error = new DependencyUnavailableError('stripe', 'down', { cause });
    expect(error.cause).toBe(cause);
  });
});
