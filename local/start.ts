import './quiet-sdk-notices';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortInUseError } from './emulators/listen';
import { synthesizeApp } from './shipped/synth';
import { startLocalStack } from './stack';

/**
 * `npm start [-- --fresh] [-- --quiet]`: the whole backend on this machine (see docs/local-stack.md).
 * Everything runs in this one process, so stopping it leaves nothing behind.
 */
const USAGE = `Usage: npm start [-- --fresh] [-- --quiet] [-- --shipped]
  --fresh   wipe the state folder (LOCAL_DIR, default .local) first
  --quiet   do not log webhook delivery problems and 401s
  --shipped run what a deploy ships: synthesize, then each Lambda bundle with only its template environment,
            every AWS call checked against its IAM role (AccessDenied like AWS); function logs are printed
Ports: LOCAL_API_PORT [3000], LOCAL_DYNAMODB_PORT [8000], LOCAL_COGNITO_PORT [9229], LOCAL_STRIPE_PORT [12111]`;

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--help') || args.has('-h')) {
    console.log(USAGE);
    return;
  }
  const unknown = [...args].filter((arg) => !['--fresh', '--quiet', '--shipped'].includes(arg));
  if (unknown.length) {
    console.error(`Unknown option(s): ${unknown.join(' ')}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const shipped = args.has('--shipped') ? shippedOptions() : undefined;
  const stack = await startLocalStack({ fresh: args.has('--fresh'), quiet: args.has('--quiet'), shipped });
  const { info } = stack;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    // Whatever happens, do not outlive a Ctrl-C by more than a few seconds.
    setTimeout(() => process.exit(1), 5000).unref();
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const stripeMode = stack.stripe ? 'local emulator' : 'real Stripe (test mode)';
  console.log(
    [
      `Example app  ${info.webUrl}  (sign up, check out, see the gated example routes flip)`,
      `Local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (state: ${stack.stateDir})`,
      `  API         ${info.apiUrl}`,
      `  Cognito     ${info.cognitoEndpoint}  pool ${info.userPoolId}  client ${info.userPoolClientId}`,
      `  DynamoDB    ${info.dynamodbEndpoint}`,
      `  Stripe      ${info.stripeApiBase}  (${stripeMode})`,
      `  stack.json  ${stack.stackFile}`,
      `  Functions   ${stack.shipped ? `shipped bundles from ${shipped?.assemblyDir} (IAM enforced)` : 'TypeScript sources'}`,
      '',
      'Next: run `npm run demo` in another terminal to walk sign-up -> checkout -> webhook -> cancel. Ctrl-C stops.',
    ].join('\n'),
  );
}

/** Synthesizes into a temporary folder (fresh bundles every start) and prints each function's log lines. */
function shippedOptions() {
  const assemblyDir = synthesizeApp(join(mkdtempSync(join(tmpdir(), 'entitlements-shipped-')), 'cdk.out'));
  return { assemblyDir, onLog: (fn: string, line: string) => console.log(`[${fn}] ${line}`) };
}

main().catch((error: unknown) => {
  if (error instanceof PortInUseError) console.error(`Cannot start the local stack: ${error.message}`);
  else console.error('Cannot start the local stack:', error instanceof Error ? error.message : error);
  process.exit(1);
});
