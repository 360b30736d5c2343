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
  createdAt: string;
  updatedAt: string;
}

export type ProfileInput = Omit<UserProfile, 'createdAt' | 'updatedAt'>;
