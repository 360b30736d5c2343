import type { CreditPacks } from '../domain/credit-packs';
import type { PlanCatalog } from '../domain/plan-catalog';
import { CONTRACTS } from '../platform/contracts';
import { type HttpResult, json } from '../platform/http';
import type { HttpEvent } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { buildOpenApiDocument } from '../platform/openapi';

/** GET /openapi.json (public): the document generated from the handlers' own zod schemas. */
export function createOpenApiHandler(deps: { catalog: PlanCatalog; creditPacks?: CreditPacks }) {
  // Built once per container: the document depends only on the catalog and the credit packs.
  const body = buildOpenApiDocument(deps.catalog, deps.creditPacks);
  return async (_event: HttpEvent): Promise<HttpResult> => json(200, body, { 'cache-control': 'public, max-age=300' });
}

const entry = lambdaEntry(CONTRACTS.openApi, (runtime) =>
  createOpenApiHandler({ catalog: runtime.catalog, creditPacks: runtime.creditPacks }),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
