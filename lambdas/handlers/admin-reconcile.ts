import { ADMIN_GROUP } from '../domain/plan-catalog-schema';
import {
  adminReconcileBodySchema,
  grantOverrideBodySchema,
  revokeOverrideQuerySchema,
  syncHealthQuerySchema,
} from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, httpError, json } from '../platform/http';
import { type HttpEvent, jwtRoute, parseBody, parseQuery } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { grantOverride, revokeOverride } from '../use-cases/entitlement/manage-override';
import type { AdminAccess } from '../use-cases/identity/admin-access';
import { type AdminRunDeps, adminReconcile, syncHealth } from '../use-cases/reconcile/admin-runs';
import type { EntitlementWriterDeps } from '../use-cases/webhook/entitlement-writer-types';
import {
  adminAccessFromRuntime,
  deployedReconcileDeps,
  overrideDirectoryFromRuntime,
  overrideWriterFromRuntime,
} from '../wiring/reconcile';

export type AdminReconcileDeps = AdminRunDeps & {
  admins: AdminAccess;
  /** The entitlement write path without Stripe (overrides change no Stripe state). */
  writer: () => Promise<EntitlementWriterDeps>;
};

/**
 * GET /admin/sync-health (dry run), POST /admin/reconcile { apply, user? }, POST /admin/overrides (grant) and
 * DELETE /admin/overrides?sub= (revoke): only callers whose verified token carries the `admins` group and who are
 * members of it in Cognito now get past the first line (403 otherwise).
 */
export function createAdminReconcileHandler(deps: AdminReconcileDeps) {
  return jwtRoute(async (event: HttpEvent, caller): Promise<HttpResult> => {
    if (!(await deps.admins.isAdmin(caller))) {
      return httpError(403, 'forbidden', `Only members of the ${ADMIN_GROUP.name} group may use this route.`);
    }
    const operator = { sub: caller.sub, ...(caller.email ? { email: caller.email } : {}) };
    if (event.routeKey === 'POST /admin/overrides') {
      const body = parseBody(event, grantOverrideBodySchema);
      return json(200, await grantOverride(await deps.writer(), { ...body, operator }));
    }
    if (event.routeKey === 'DELETE /admin/overrides') {
      const query = parseQuery(event, revokeOverrideQuerySchema);
      return json(200, await revokeOverride(await deps.writer(), { ...query, operator }));
    }
    const method = event.requestContext.http.method.toUpperCase();
    if (method === 'GET') {
      return json(200, await syncHealth(deps, parseQuery(event, syncHealthQuerySchema)));
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
  const writer = overrideWriterFromRuntime(runtime);
  return createAdminReconcileHandler({
    writer: async () => writer,
    overrides: overrideDirectoryFromRuntime(runtime),
    reconcile: deps,
    lastRun: async () => (await deps()).state.getLastRun(),
    clock: runtime.clock,
    admins: adminAccessFromRuntime(runtime),
  });
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
