import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../lambdas/platform/openapi';

/**
 * Writes docs/openapi.json from the zod schemas (default plan catalog). Run after changing a route schema:
 *   npx tsx scripts/generate-openapi.ts
 * test/unit/platform/openapi.test.ts fails while the committed file differs from the generated one.
 */
export const OPENAPI_PATH = join(__dirname, '..', 'docs', 'openapi.json');

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  console.log(`wrote ${OPENAPI_PATH}`);
}
