import { z } from 'zod';

/** An existing user pool the stage adopts instead of creating one (README, deploy: "Adopt an existing user pool"). */
export interface ExistingUserPoolSettings {
  /** `<region>_<id>`, e.g. `eu-west-1_AbC123dEf`; must be in the stage's account and region. */
  readonly userPoolId: string;
  /** An existing app client of that pool for the SPA; absent: the stack creates its own client in the pool. */
  readonly userPoolClientId?: string;
}

export const existingUserPoolSchema = z
  .object({
    userPoolId: z
      .string()
      .regex(
        /^[a-z]{2}(-[a-z]+)+-\d_[0-9a-zA-Z]{1,50}$/,
        'must be a user pool id (<region>_<id>, e.g. eu-west-1_AbC123)',
      ),
    userPoolClientId: z
      .string()
      .regex(/^[0-9a-z]{1,128}$/, 'must be an app client id (lowercase letters and digits)')
      .optional(),
  })
  .strict();

/**
 * Settings of the pool itself cannot be applied to a pool the stack does not own (CloudFormation would have to
 * replace or overwrite it): the stage refuses them with the adopted pool, instead of silently ignoring them.
 * Identity providers and a Cognito domain are resources of their own and work with an adopted pool, on the
 * stack's own app client (they must be listed on it).
 */
export function adoptedPoolConflicts(settings: {
  existingUserPool?: ExistingUserPoolSettings;
  sesEmail?: unknown;
  threatProtection?: boolean;
  federated: boolean;
}): string[] {
  if (!settings.existingUserPool) return [];
  const conflicts: string[] = [];
  if (settings.sesEmail) conflicts.push("sesEmail (configure the adopted pool's email sender on the pool itself)");
  if (settings.threatProtection) {
    conflicts.push("threatProtection (set the adopted pool's feature plan and threat protection on the pool itself)");
  }
  if (settings.federated && settings.existingUserPool.userPoolClientId) {
    conflicts.push(
      'identityProviders with userPoolClientId (the stack can list providers only on an app client it creates: ' +
        'leave userPoolClientId out, or add the providers to your client yourself)',
    );
  }
  return conflicts;
}
