import { CONTRACTS } from '../platform/contracts';
import { type GateMiddleware, verifiedSubOf, withGates } from '../platform/feature-gate-http';
import { json } from '../platform/http';
import { errorResponse, type HttpEvent } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { featureGate } from '../wiring/feature-gate';

/**
 * The example protected routes, one per way of enforcing a plan (docs/feature-gate.md):
 * - `GET /example/reports` sits behind the entitlements authorizer (`feature:scheduled-backups`): this code runs
 *   only for allowed callers and reads who they are and their plan from the authorizer's context;
 * - `GET /example/team` sits behind the Cognito JWT authorizer and gates itself with the feature gate
 *   (`team-management`, business and up), answering the 403 `feature_not_in_plan` body a frontend can show.
 */
export function createExampleHandler(teamGate: GateMiddleware) {
  const team = withGates([teamGate], async (event: HttpEvent) =>
    json(200, {
      route: 'team',
      checkedBy: 'feature-gate',
      sub: verifiedSubOf(event),
      members: [{ email: 'you@example.com', role: 'owner' }],
    }),
  );
  return async (event: HttpEvent) => {
    try {
      if (event.routeKey === 'GET /example/team') return await team(event);
      const context = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } }).authorizer
        ?.lambda;
      return json(200, {
        route: 'reports',
        checkedBy: 'authorizer',
        sub: verifiedSubOf(event),
        plan: context?.plan ?? null,
        reports: [
          { id: 'nightly-backup', schedule: '0 2 * * *', lastRun: null },
          { id: 'weekly-archive', schedule: '0 3 * * 0', lastRun: null },
        ],
      });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

const entry = lambdaEntry(CONTRACTS.exampleReports, (runtime) =>
  createExampleHandler(featureGate(runtime).requireFeature('team-management')),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
