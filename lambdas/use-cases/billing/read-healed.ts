import type { EntitlementRecord } from '../../domain/entitlement';
import { DependencyUnavailableError } from '../../domain/errors';
import type { EntitlementStore, ProfileStore, UserProfile } from '../../ports/app-ports';
import type { HealUser } from '../reconcile/heal-user';

export interface HealedRows {
  profile: UserProfile;
  record: EntitlementRecord;
}

export interface ReadRows extends HealedRows {
  /** The record was missing and healing recreated it (what it said before is unknown, e.g. a used trial). */
  recordRecreated: boolean;
}

/**
 * The caller's profile and Entitlements record (one parallel read), healed first when either is missing or
 * `complete` says something else is (e.g. no linked Stripe customer): the common path stays one read.
 */
export async function readHealed(
  deps: {
    profiles: Pick<ProfileStore, 'get'>;
    entitlements: Pick<EntitlementStore, 'get'>;
    heal: HealUser;
  },
  sub: string,
  complete: (rows: HealedRows) => boolean = () => true,
): Promise<ReadRows> {
  const read = () => Promise.all([deps.profiles.get(sub), deps.entitlements.get(sub)] as const);
  const [profile, record] = await read();
  if (profile && record && complete({ profile, record })) return { profile, record, recordRecreated: false };
  await deps.heal(sub);
  const [healedProfile, healedRecord] = await read();
  if (!healedProfile || !healedRecord) {
    throw new DependencyUnavailableError('dynamodb', `the rows of ${sub} are still missing after healing`);
  }
  return { profile: healedProfile, record: healedRecord, recordRecreated: record === undefined };
}
