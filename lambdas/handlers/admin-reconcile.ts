import {
  adminReconcileBodySchema,
  grantOverrideBodySchema,
  revokeOverrideQuerySchema,
  syncHealthQuerySchema,
} from '../platform/api-schemas';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, httpError, json } from '../platform/http';
import { adminRoute, type HttpEvent, parseBody, parseQuery } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { grantOverride, revokeOverride } from '../use-cases/entitlement/manage-override';
import { type AdminRouteDeps, adminReconcile, syncHealth } from '../use-cases/reconcile/admin-runs';
import { adminRouteDeps } from '../wiring/reconcile';

export type AdminReconcileDeps = AdminRouteDeps;

/**
 * GET /admin/sync-health (dry run), POST /admin/reconcile { apply, user? }, POST /admin/overrides (grant) and
 * DELETE /admin/overrides?sub= (revoke), for administrators only (platform/http-handler.ts adminRoute: 403 otherwise).
 */
export function createAdminReconcileHandler(deps: AdminReconcileDeps) {
  return adminRoute(deps.admins, async (event: HttpEvent, caller): Promise<HttpResult> => {
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
    if (method === 'GET') return json(200, await syncHealth(deps, parseQuery(event, syncHealthQuerySchema)));
    if (method !== 'POST') return httpError(405, 'method_not_allowed', `${method} is not supported here`);
    const run = await adminReconcile(deps, parseBody(event, adminReconcileBodySchema));
    if (!run.locked) return json(200, { report: run.report });
    return httpError(409, 'reconcile_running', 'Another reconcile run is applying repairs: retry when it ends.');
  });
}

const entry = lambdaEntry(CONTRACTS.adminReconcile, (runtime, env) =>
  createAdminReconcileHandler(adminRouteDeps(runtime, env)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
