import type { CognitoUser } from '../domain/cognito-user';

/**
 * The user pool as the identity use cases see it (pre-signup). lambdas/adapters/cognito/cognito-users.ts
 * (CognitoUserDirectory) implements it.
 */

export interface LinkProviderInput {
  /** Username of the existing native (Cognito) user that receives the identity. */
  destinationUsername: string;
  providerName: string;
  providerUserId: string;
}

export interface UserDirectory {
  /** Users whose email attribute normalises to `email` (confirmed or not). */
  findByEmail(email: string): Promise<CognitoUser[]>;
  get(username: string): Promise<CognitoUser | undefined>;
  linkProvider(input: LinkProviderInput): Promise<void>;
}
