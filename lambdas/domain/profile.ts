import type { DeletionMark } from './account-deletion';

/** One UserProfiles row: the link between a Cognito sub and its one Stripe customer. */
export interface UserProfile {
  userId: string;
  cognitoUsername: string;
  /** Lower-cased, trimmed. */
  email: string;
  emailVerified: boolean;
  givenName?: string;
  familyName?: string;
  stripeCustomerId?: string;
  /** `cognito` for native users, else the provider name (Google, SignInWithApple, ...). */
  identityProvider: string;
  /** Set when the account's deletion started (lambdas/use-cases/identity/delete-account.ts): finished, never revived. */
  deletion?: DeletionMark;
  createdAt: string;
  updatedAt: string;
}

export type ProfileInput = Omit<UserProfile, 'createdAt' | 'updatedAt' | 'deletion'>;
