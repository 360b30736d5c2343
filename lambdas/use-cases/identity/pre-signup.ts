import {
  attributeIsTrue,
  type CognitoUser,
  hasEmail,
  isNativeUser,
  parseFederatedUsername,
} from '../../domain/cognito-user';
import { isValidEmail, normaliseEmail } from '../../domain/email';
import { AppError, InvalidInputError } from '../../domain/errors';
import { logger, maskEmail } from '../../platform/logger';
import type { ProfileStore, UserProfile } from '../../ports/app-ports';
import type { UserDirectory } from '../../ports/user-ports';

export const DUPLICATE_EMAIL_MESSAGE = 'An account with this email already exists. Please sign in instead.';
export const SIGN_UP_UNAVAILABLE_MESSAGE = 'Sign-up is temporarily unavailable, please try again.';
export const INVALID_EMAIL_MESSAGE = 'A valid email address is required.';

/**
 * A sign-up refused on purpose. Its message is the text Cognito shows the user, so it must reach Cognito as
 * the trigger's error: nothing between this use case and the Lambda runtime may catch it.
 */
export class SignUpRejectedError extends AppError {
  override name = 'SignUpRejectedError';
  constructor(
    readonly reason: 'duplicate' | 'unavailable' | 'invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PreSignUpDeps {
  users: UserDirectory;
  profiles: Pick<ProfileStore, 'findByEmail'>;
  /** Allow the sign-up when the duplicate lookup itself fails (default policy is to refuse). */
  failOpen: boolean;
}

export interface PreSignUpInput {
  triggerSource: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser' | 'PreSignUp_ExternalProvider';
  userName: string;
  userAttributes: Record<string, string>;
}

export type PreSignUpOutcome =
  | { action: 'allow'; autoConfirmUser: boolean; autoVerifyEmail: boolean }
  /** The federated identity now belongs to an existing user; Cognito fails this one sign-in, the retry works. */
  | { action: 'linked'; destinationUsername: string; providerName: string };

/**
 * Pre-Signup policy: one account per email. Native and admin sign-ups with a known email are refused; a
 * federated sign-in whose verified email belongs to a native user is linked to that user.
 * Throws SignUpRejectedError to refuse (the message is user-facing); returns what to put in the response.
 */
export async function preSignUp(deps: PreSignUpDeps, input: PreSignUpInput): Promise<PreSignUpOutcome> {
  if (input.triggerSource === 'PreSignUp_ExternalProvider') return externalProvider(deps, input);
  return nativeSignUp(deps, input);
}

async function nativeSignUp(deps: PreSignUpDeps, input: PreSignUpInput): Promise<PreSignUpOutcome> {
  const raw = input.userAttributes.email;
  if (!raw || !isValidEmail(raw)) throw new SignUpRejectedError('invalid', INVALID_EMAIL_MESSAGE);
  const email = normaliseEmail(raw);
  const lookup = await lookUp(deps, email, { profiles: true });
  const others = lookup.users.filter((user) => user.username !== input.userName);
  // A profile only blocks the address while its Cognito user still exists with it (checked only when Cognito's
  // own lookup found nobody: otherwise the sign-up is refused anyway).
  const candidates = lookup.profiles.filter((profile) => profile.cognitoUsername !== input.userName);
  const profiles = others.length > 0 ? candidates : await liveProfiles(deps, candidates, email);
  // A match found by either source rejects, whatever the other source did: a failed lookup never lets a known
  // duplicate through.
  if (others.length > 0 || profiles.length > 0) {
    logger.info('Sign-up rejected: email already registered', {
      triggerSource: input.triggerSource,
      email: maskEmail(email),
      cognitoMatches: others.length,
      profileMatches: profiles.length,
    });
    throw new SignUpRejectedError('duplicate', DUPLICATE_EMAIL_MESSAGE);
  }
  failClosedOnLookupFailure(deps, lookup.failures, email);
  return { action: 'allow', autoConfirmUser: false, autoVerifyEmail: false };
}

async function externalProvider(deps: PreSignUpDeps, input: PreSignUpInput): Promise<PreSignUpOutcome> {
  const identity = parseFederatedUsername(input.userName);
  if (!identity) throw new InvalidInputError('PreSignUp_ExternalProvider: userName has no "<provider>_<id>" form');
  const vouched = attributeIsTrue(input.userAttributes.email_verified);
  const raw = input.userAttributes.email;
  // No usable email (e.g. a Facebook account without one): nothing to compare, a separate user is created.
  if (!raw || !isValidEmail(raw)) return { action: 'allow', autoConfirmUser: vouched, autoVerifyEmail: false };
  const email = normaliseEmail(raw);

  const lookup = await lookUp(deps, email, { profiles: false });
  const natives = lookup.users.filter((user) => isNativeUser(user) && user.username !== input.userName);
  if (natives.length === 0) {
    failClosedOnLookupFailure(deps, lookup.failures, email);
    return { action: 'allow', autoConfirmUser: vouched, autoVerifyEmail: vouched };
  }
  // Linking hands the existing account to whoever controls this identity: only when the provider vouches for
  // the email, and only into a confirmed account (an unconfirmed one may be a squatter's).
  const target = pickLinkTarget(natives);
  if (!vouched || !target) {
    logger.info('Federated sign-in rejected: email belongs to a native user and cannot be linked', {
      provider: identity.providerName,
      email: maskEmail(email),
      vouched,
    });
    throw new SignUpRejectedError('duplicate', DUPLICATE_EMAIL_MESSAGE);
  }
  try {
    await deps.users.linkProvider({ destinationUsername: target.username, ...identity });
  } catch (error) {
    // Never fail open here: letting the sign-in continue would create the duplicate account.
    logger.error('Linking the federated identity failed', { provider: identity.providerName, error: String(error) });
    throw new SignUpRejectedError('unavailable', SIGN_UP_UNAVAILABLE_MESSAGE, { cause: error });
  }
  logger.info('Federated identity linked to existing user', {
    provider: identity.providerName,
    destination: target.username,
  });
  return { action: 'linked', destinationUsername: target.username, providerName: identity.providerName };
}

/**
 * The profiles that still hold the address: not being deleted, and whose Cognito user exists and still has this
 * email. A profile whose user was deleted (AdminDeleteUser, or an account deletion that has not finished) or whose
 * user changed their email frees the address; reconcile cleans such profiles up. When Cognito cannot be asked the
 * profile still counts (a match always wins: the retry decides).
 */
async function liveProfiles(deps: PreSignUpDeps, profiles: UserProfile[], email: string): Promise<UserProfile[]> {
  const checked = await Promise.all(
    profiles.map(async (profile) => {
      if (profile.deletion) return { profile, live: false, why: 'account deletion in progress' };
      try {
        const user = await deps.users.get(profile.cognitoUsername);
        if (!user) return { profile, live: false, why: 'Cognito user no longer exists' };
        if (!hasEmail(user, email)) return { profile, live: false, why: 'Cognito user changed email' };
        return { profile, live: true, why: '' };
      } catch (error) {
        logger.warn('Could not check the Cognito user of a profile with this email; it still counts', {
          email: maskEmail(email),
          error: error instanceof Error ? error.message : String(error),
        });
        return { profile, live: true, why: '' };
      }
    }),
  );
  for (const { profile, live, why } of checked) {
    if (!live) logger.info('Profile with this email does not block the sign-up', { sub: profile.userId, why });
  }
  return checked.filter((check) => check.live).map((check) => check.profile);
}

/** The oldest enabled, confirmed native user, or undefined when none qualifies. */
function pickLinkTarget(natives: CognitoUser[]): CognitoUser | undefined {
  const eligible = natives.filter((user) => user.enabled && user.status !== 'UNCONFIRMED');
  return eligible.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0))[0];
}

interface Lookup {
  users: CognitoUser[];
  profiles: UserProfile[];
  failures: Error[];
}

/** Both lookups run to completion; failures are collected, never thrown, so that a match always wins. */
async function lookUp(deps: PreSignUpDeps, email: string, options: { profiles: boolean }): Promise<Lookup> {
  const [users, profiles] = await Promise.allSettled([
    deps.users.findByEmail(email),
    options.profiles ? deps.profiles.findByEmail(email) : Promise.resolve([]),
  ]);
  const failures: Error[] = [];
  for (const result of [users, profiles]) {
    if (result.status === 'rejected') {
      failures.push(result.reason instanceof Error ? result.reason : new Error(String(result.reason)));
    }
  }
  return {
    users: users.status === 'fulfilled' ? users.value : [],
    profiles: profiles.status === 'fulfilled' ? profiles.value : [],
    failures,
  };
}

function failClosedOnLookupFailure(deps: PreSignUpDeps, failures: Error[], email: string): void {
  if (failures.length === 0) return;
  const errors = failures.map((failure) => failure.message);
  if (deps.failOpen) {
    logger.warn('Duplicate-email lookup failed; allowing sign-up (PRE_SIGNUP_FAIL_OPEN=true)', {
      email: maskEmail(email),
      errors,
    });
    return;
  }
  logger.error('Duplicate-email lookup failed; refusing sign-up (fail closed)', { email: maskEmail(email), errors });
  throw new SignUpRejectedError('unavailable', SIGN_UP_UNAVAILABLE_MESSAGE, { cause: failures[0] });
}
