import { z } from 'zod';
import { PowertoolsReconcileMetrics } from '../adapters/metrics/reconcile-metrics';
import { InvalidInputError } from '../domain/errors';
import { ADMIN_GROUP } from '../domain/plan-catalog';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, httpError, json } from '../platform/http';
import { type HttpEvent, jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type Clock, systemClock } from '../ports/app-ports';
import { type ReconcileDeps, type ReconcileReport, reconcile } from '../use-cases/reconcile/reconcile';
import { reconcileDepsFromRuntime } from '../wiring/reconcile';

/** A Cognito sub (a UUID in Cognito; kept loose for emulators and imports, but never free text). */
const subSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be a Cognito sub');

export const adminReconcileBodySchema = z.object({ apply: z.boolean(), user: subSchema.optional() }).strict();

const syncHealthQuerySchema = z.object({ user: subSchema.optional(), after: subSchema.optional() }).strict();

/** Findings in one response; the CLI shows them all. */
export const MAX_FINDINGS_IN_RESPONSE = 500;

export interface AdminReconcileDeps {
  reconcile: () => Promise<ReconcileDeps>;
  /** Last finished apply run (GET /admin/sync-health shows it next to the fresh dry-run). */
  lastRun: () => Promise<Record<string, unknown> | undefined>;
  clock: Clock;
  /** Work budget per request: API Gateway gives an integration 30 s. @default 20000 */
  budgetMs?: number;
}

function forResponse(report: ReconcileReport) {
  const truncated = report.findings.length > MAX_FINDINGS_IN_RESPONSE;
  return {
    ...report,
    findings: report.findings.slice(0, MAX_FINDINGS_IN_RESPONSE),
    ...(truncated ? { findingsTruncated: report.findings.length } : {}),
    ...(report.status === 'partial'
      ? {
          continue:
            report.mode === 'apply'
              ? 'the run stopped at its time budget and saved a checkpoint: POST again to continue'
              : `the dry run stopped at its time budget: GET again with ?after=${report.nextAfter ?? ''}`,
        }
      : {}),
  };
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
  let built: Promise<ReconcileDeps & { state: { getLastRun(): Promise<Record<string, unknown> | undefined> } }>;
  const deps = () => {
    built ??= reconcileDepsFromRuntime(runtime, {
      clock: systemClock,
      metrics: new PowertoolsReconcileMetrics(runtime.policy.STAGE),
    });
    return built;
  };
  return createAdminReconcileHandler({
    reconcile: deps,
    lastRun: async () => (await deps()).state.getLastRun(),
    clock: systemClock,
  });
});
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
