import type { AccountDeletionSettings } from '../../domain/account-deletion';
import type { ReconcileTrigger } from '../../domain/reconcile-report';
import type { AccountTombstoneStore } from '../../ports/account-ports';
import type { CustomerGateway, ProfileStore } from '../../ports/app-ports';
import type {
  ParkedRetryGateway,
  ReconcileMetrics,
  ReconcileSource,
  ReconcileStateStore,
  UserRepairSource,
} from '../../ports/reconcile-ports';
import type { DeleteAccountDeps } from '../identity/delete-account';
import type { EntitlementWriterDeps } from '../webhook/recompute-entitlement';

/** What a reconcile run is given: its dependencies (built in lambdas/wiring/reconcile.ts) and its options. */

export interface ReconcileDeps extends EntitlementWriterDeps {
  profiles: ProfileStore;
  customers: CustomerGateway;
  source: ReconcileSource;
  state: ReconcileStateStore;
  parked: ParkedRetryGateway;
  metrics?: ReconcileMetrics;
  /**
   * Account deletion: finishes deletions that stopped part-way and cleans up orphans (a profile or record whose
   * Cognito user is gone) with the stage's settings. Without it both are only reported.
   */
  accounts?: { settings: AccountDeletionSettings; deletion: DeleteAccountDeps };
  /** Provisioning reads the trial-used mark (and refuses a deleted account) through these. */
  tombstones?: AccountTombstoneStore;
  /** Users checked (and repaired) at once. @default 8 */
  concurrency?: number;
  /** Users between checkpoints. @default 250 */
  batchSize?: number;
  /** Lease length; renewed at every checkpoint. @default 1200 (longer than the Lambda's 15 min limit) */
  leaseSeconds?: number;
  newRunId?: () => string;
}

/**
 * What checking and repairing ONE user needs (check-user.ts, repairs.ts): a reconcile run's deps, or the narrower
 * set a frontend route builds to heal its caller (heal-user.ts).
 */
export type UserRepairDeps = Omit<
  ReconcileDeps,
  'source' | 'state' | 'parked' | 'metrics' | 'concurrency' | 'batchSize' | 'leaseSeconds' | 'newRunId'
> & {
  source: UserRepairSource;
};

export interface ReconcileOptions {
  apply: boolean;
  /** Only this Cognito sub. */
  user?: string;
  trigger: ReconcileTrigger;
  /** Asked before each batch; true ends the run early (an apply run saves its checkpoint and resumes next time). */
  shouldStop?: () => boolean;
  /** Dry-run paging: check only users after this sub. */
  after?: string;
  onProgress?: (progress: { checked: number; total: number }) => void;
}

/** The scope of a run over every user (the lease and the checkpoint key); a one-user run's is `user#<sub>`. */
export const FULL_SCOPE = 'all';
