import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { it } from 'vitest';
import { runJourney } from '../../local/journey';
import { startLocalStack } from '../../local/stack';
it('dbg', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'dbg-'));
  const stack = await startLocalStack({ stateDir, ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 }, quiet: false, env: {}, stripe: { webhookBackoffMs: () => 10 } });
  try {
    await runJourney(stack.info, { email: `dbg-${Date.now()}@example.com`, log: (l) => console.log(l) });
  } catch (e) {
    console.log(String(e));
    const d = stack.stripe?.deliveries().slice(-25).map((x) => `${x.type} ${x.status} ${x.lastStatusCode}`);
    console.log(d?.join('\n'));
    const rec = await stack.backend.ddb.send(new ScanCommand({ TableName: stack.info.tables.entitlements }));
    console.log(JSON.stringify(rec.Items?.[0]?.subscriptions, null, 1));
  }
  await stack.stop();
}, 60000);
