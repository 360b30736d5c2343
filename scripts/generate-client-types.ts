import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';

/**
 * Writes client/openapi-types.ts from docs/openapi.json with openapi-typescript (formatted by the repo's Biome), so
 * the typed client (client/entitlements-client.ts) is checked by the compiler against the published contract:
 *   npx tsx scripts/generate-client-types.ts
 * test/unit/client/entitlements-client.test.ts fails while the committed file differs from the generated one.
 */
const ROOT = join(__dirname, '..');
export const CLIENT_TYPES_PATH = join(ROOT, 'client', 'openapi-types.ts');
const HEADER = `/**
 * Generated from docs/openapi.json by openapi-typescript (npx tsx scripts/generate-client-types.ts). Do not edit.
 */
`;

export async function renderClientTypes(): Promise<string> {
  const document = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
  const source = HEADER + astToString(await openapiTS(document, { alphabetize: false }));
  return execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--stdin-file-path', CLIENT_TYPES_PATH], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
  });
}

if (require.main === module) {
  renderClientTypes().then(
    (text) => {
      writeFileSync(CLIENT_TYPES_PATH, text);
      console.log(`wrote ${CLIENT_TYPES_PATH}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
