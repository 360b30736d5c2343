import type { CognitoUser } from '../domain/cognito-user';
import { identityProviderOf } from '../domain/cognito-user';
import type { CognitoUserSnapshot } from '../domain/drift';

/** Users without a sub cannot be matched to anything: skipped. */
export function toSnapshot(user: CognitoUser): CognitoUserSnapshot | undefined {
  if (!user.sub) return undefined;
  const { attributes } = user;
  return {
    sub: user.sub,
    username: user.username,
    ...(user.email ? { email: user.email } : {}),
    emailVerified: user.emailVerified,
    ...(attributes.given_name ? { givenName: attributes.given_name } : {}),
    ...(attributes.family_name ? { familyName: attributes.family_name } : {}),
    identityProvider: identityProviderOf(user.username, {
      ...attributes,
      ...(user.status ? { 'cognito:user_status': user.status } : {}),
    }),
    ...(user.status ? { status: user.status } : {}),
  };
}
