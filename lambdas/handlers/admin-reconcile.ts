import { InvalidInputError } from '../domain/errors';
import { ADMIN_GROUP } from '../domain/plan-catalog';
import { adminReconcileBodySchema, syncHealthQuerySchema } from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, httpError, json } from '../platform/http';
import { type HttpEvent, jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import type { Clock } from '../ports/app-ports';
import { type ReconcileDeps, reconcile } from '../use-cases/reconcile/reconcile';
import { forResponse } from '../use-cases/reconcile/report-view';
import { deployedReconcileDeps } from '../wiring/reconcile';

export interface AdminReconcileDeps {
  reconcile: () => Promise<ReconcileDeps>;
  /** Last finished apply run (GET /admin/sync-health shows it next to the fresh dry-run). */
  lastRun: () => Promise<Record<string, unknown> | undefined>;
  clock: Clock;
  /** Work budget per request: API Gateway gives an integration 30 s. @default 20000 */
  budgetMs?: number;
}

/**
 * GET /admin/sync-health (dry run: report only) and POST /admin/reconcile { apply, user? }, one module for both
 * routes. Only callers whose verified token carries the `admins` group get past the first line (403 otherwise).
 */
export function createAdminReconcileHandler(deps: AdminReconcileDeps) {
  return jwtRoute(async (event: HttpEvent, caller): Promise<HttpResult> => {
    if (!caller.groups.includes(ADMIN_GROUP.name)) {
      return httpError(403, 'forbidden', `Only members of the ${ADMIN_GROUP.name} group may use this route.`);
    }
    const started = deps.clock.now().getTime();
    const budget = deps.budgetMs ?? 20_000;
    const shouldStop = () => deps.clock.now().getTime() - started > budget;
    const method = event.requestContext.http.method.toUpperCase();

    if (method === 'GET') {
      const query = syncHealthQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!query.success)
        throw new InvalidInputError(query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const [report, lastRun] = await Promise.all([
        deps.reconcile().then((reconcileDeps) =>
          reconcile(reconcileDeps, {
            apply: false,
            trigger: 'admin',
            shouldStop,
            ...(query.data.user ? { user: query.data.user } : {}),
            ...(query.data.after ? { after: query.data.after } : {}),
          }),
        ),
        deps.lastRun(),
      ]);
      return json(200, { report: forResponse(report), lastRun: lastRun ?? null });
    }
    if (method === 'POST') {
      const body = parseBody(event, adminReconcileBodySchema);
      const report = await reconcile(await deps.reconcile(), {
        apply: body.apply,
        trigger: 'admin',
        shouldStop,
        ...(body.user ? { user: body.user } : {}),
      });
      if (report.status === 'locked') {
        return httpError(409, 'reconcile_running', 'Another reconcile run is applying repairs: retry when it ends.');
      }
      return json(200, { report: forResponse(report) });
    }
    return httpError(405, 'method_not_allowed', `${method} is not supported here`);
  });
}

const entry = lambdaEntry(CONTRACTS.adminReconcile, (runtime) => {
  const deps = deployedReconcileDeps(runtime);
  return createAdminReconcileHandler({
    reconcile: deps,
    lastRun: async () => (await deps()).state.getLastRun(),
    clock: runtime.clock,
  });
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
