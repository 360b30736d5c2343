import { InvalidInputError } from '../domain/errors';
import { ADMIN_GROUP } from '../domain/plan-catalog-schema';
import { describeIssues } from '../domain/validation-issues';
import { adminReconcileBodySchema, syncHealthQuerySchema } from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, httpError, json } from '../platform/http';
import { type HttpEvent, jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import type { AdminAccess } from '../use-cases/identity/admin-access';
import { type AdminRunDeps, adminReconcile, syncHealth } from '../use-cases/reconcile/admin-runs';
import { adminAccessFromRuntime, deployedReconcileDeps } from '../wiring/reconcile';

export type AdminReconcileDeps = AdminRunDeps & { admins: AdminAccess };

/**
 * GET /admin/sync-health (dry run) and POST /admin/reconcile { apply, user? }: only callers whose verified token
 * carries the `admins` group and who are members of it in Cognito now get past the first line (403 otherwise).
 */
export function createAdminReconcileHandler(deps: AdminReconcileDeps) {
  return jwtRoute(async (event: HttpEvent, caller): Promise<HttpResult> => {
    if (!(await deps.admins.isAdmin(caller))) {
      return httpError(403, 'forbidden', `Only members of the ${ADMIN_GROUP.name} group may use this route.`);
    }
    const method = event.requestContext.http.method.toUpperCase();
    if (method === 'GET') {
      const query = syncHealthQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!query.success) throw new InvalidInputError(describeIssues(query.error, { root: 'query' }));
      return json(200, await syncHealth(deps, query.data));
    }
    if (method !== 'POST') return httpError(405, 'method_not_allowed', `${method} is not supported here`);
    const run = await adminReconcile(deps, parseBody(event, adminReconcileBodySchema));
    if (run.locked)
      return httpError(409, 'reconcile_running', 'Another reconcile run is applying repairs: retry when it ends.');
    return json(200, { report: run.report });
  });
}

const entry = lambdaEntry(CONTRACTS.adminReconcile, (runtime, env) => {
  const deps = deployedReconcileDeps(runtime, env);
  return createAdminReconcileHandler({
    reconcile: deps,
    lastRun: async () => (await deps()).state.getLastRun(),
    clock: runtime.clock,
    admins: adminAccessFromRuntime(runtime),
  });
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
