import type { Clock } from '../../domain/clock';
import { overrideActive } from '../../domain/entitlement-override';
import type { OverrideDirectory } from '../../ports/reconcile-ports';
import type { AdminAccess } from '../identity/admin-access';
import type { EntitlementWriterDeps } from '../webhook/entitlement-writer-types';
import type { ReconcileDeps } from './reconcile';
import { reconcile } from './reconcile';
import { forResponse } from './report-view';

export interface AdminRunDeps {
  reconcile: () => Promise<ReconcileDeps>;
  /** Last finished apply run (sync-health shows it next to the fresh dry run). */
  lastRun: () => Promise<Record<string, unknown> | undefined>;
  clock: Clock;
  /** Users holding an operator's override (sync-health lists them). */
  overrides?: OverrideDirectory;
  /** Work budget per request: API Gateway gives an integration 30 s. @default 20000 */
  budgetMs?: number;
}

/** The admin Lambda's routes: runs, sync-health and operator overrides, for callers `admins` accepts. */
export type AdminRouteDeps = AdminRunDeps & {
  admins: AdminAccess;
  /** The entitlement write path without Stripe (overrides change no Stripe state). */
  writer: () => Promise<EntitlementWriterDeps>;
};

function budget(deps: AdminRunDeps): () => boolean {
  const started = deps.clock.now().getTime();
  const limit = deps.budgetMs ?? 20_000;
  return () => deps.clock.now().getTime() - started > limit;
}

/** A dry run (optionally one user, or paging after a sub) next to the last finished apply run. */
export async function syncHealth(deps: AdminRunDeps, query: { user?: string; after?: string }) {
  const shouldStop = budget(deps);
  const [report, lastRun, overrides] = await Promise.all([
    deps
      .reconcile()
      .then((reconcileDeps) => reconcile(reconcileDeps, { apply: false, trigger: 'admin', shouldStop, ...query })),
    deps.lastRun(),
    deps.overrides?.list() ?? Promise.resolve([]),
  ]);
  const now = deps.clock.now();
  return {
    report: forResponse(report),
    lastRun: lastRun ?? null,
    // An ended override stays on its record until the next write (reconcile's); it no longer applies.
    overrides: overrides.map(({ sub, override }) => ({ sub, ...override, active: overrideActive(override, now) })),
  };
}

/** An operator's run: dry run or apply; `locked` when another apply run holds the lease. */
export async function adminReconcile(deps: AdminRunDeps, request: { apply: boolean; user?: string }) {
  const shouldStop = budget(deps);
  const report = await reconcile(await deps.reconcile(), { trigger: 'admin', shouldStop, ...request });
  return report.status === 'locked'
    ? ({ locked: true } as const)
    : { locked: false as const, report: forResponse(report) };
}
