import { buildOpenApiDocument } from '../core/openapi';
import type { PlanCatalog } from '../core/plan-catalog';
import { CONTRACTS } from '../shared/contracts';
import { type HttpResult, json } from '../shared/http';
import type { HttpEvent } from '../shared/http-handler';
import { lambdaEntry } from '../shared/lambda-entry';

/** GET /openapi.json (public): the document generated from the handlers' own zod schemas. */
export function createOpenApiHandler(deps: { catalog: PlanCatalog }) {
  // Built once per container: the document depends only on the catalog.
  const body = buildOpenApiDocument(deps.catalog);
  return async (_event: HttpEvent): Promise<HttpResult> => json(200, body, { 'cache-control': 'public, max-age=300' });
}

const entry = lambdaEntry(CONTRACTS.openApi, (runtime) => createOpenApiHandler({ catalog: runtime.catalog }));
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
