import './quiet-sdk-notices';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { JourneyStepError, runJourney } from './journey';
import type { StackInfo } from './stack';

/** `npm run demo`: walks the journey against the stack `npm start` runs, printing each step. */
async function main(): Promise<void> {
  const stackFile = join(resolve(process.env.LOCAL_DIR ?? '.local'), 'stack.json');
  let info: StackInfo;
  try {
    info = JSON.parse(await readFile(stackFile, 'utf8')) as StackInfo;
  } catch {
    throw new Error(`No running local stack (${stackFile} not found): run \`npm start\` in another terminal first`);
  }
  const health = await fetch(`${info.apiUrl}/openapi.json`).catch(() => undefined);
  if (!health)
    throw new Error(
      `The local stack in ${stackFile} does not answer at ${info.apiUrl}: is \`npm start\` still running?`,
    );
  console.log(`Journey against ${info.apiUrl}\n`);
  const result = await runJourney(info, { log: (line) => console.log(line) });
  console.log(`\nJourney complete for ${result.email}.`);
}

main().catch((error: unknown) => {
  if (error instanceof JourneyStepError) console.error(`\n✘ ${error.message}`);
  else console.error(`\n✘ ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
