import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle, handlerEntries, measureInit } from '../../bench/bundles';
import { runPostConfirmationBench } from '../../bench/post-confirmation';
import { runReconcileSize } from '../../bench/reconcile';
import { markdown } from '../../bench/run';
import { runWebhookBench } from '../../bench/webhook';

// The benchmark at a few events / a few users, so its code cannot rot. No timing is asserted: only the result
// structure and what the counted calls must be.
describe('bench smoke (tiny sizes)', () => {
  it('webhook: both modes converge, every redelivery is a free duplicate, the baseline reads Stripe per event', async () => {
    // Prepare / Act
    const figures = await runWebhookBench({ customers: 3, repetitions: 1, days: 35, renewalDays: 31 });

    // Assess
    expect(figures.runs).toHaveLength(4);
    expect(figures.agreement).toEqual({ users: 3, same: 3 });
    for (const run of figures.runs.filter((r) => r.workload === 'mix')) {
      expect(run.deliveries).toBe(figures.events.mixDeliveries);
      expect(run.outcomes.duplicate).toBe(figures.events.duplicates);
      expect(Object.keys(run.outcomes).filter((key) => key.startsWith('http-'))).toEqual([]);
      expect(run.perEvent.dynamodb).toBeGreaterThan(0);
    }
    const baseline = figures.runs.find((r) => r.mode === 'baseline' && r.workload === 'mix');
    // One Stripe list per first delivery, zero per duplicate.
    expect(Math.round((baseline?.perEvent.stripe ?? 0) * (baseline?.deliveries ?? 0))).toBe(
      figures.events.mixDeliveries - figures.events.duplicates,
    );
    const renewals = figures.summary['ours/renewals'];
    expect(renewals?.perEvent.cognito).toBe(0);
    expect(renewals?.perEvent.stripe).toBe(0);
    // The floor ran on the same deliveries: one read and one conditional write each, some refused when swapped.
    expect(figures.floorRuns.map((run) => [run.workload, run.deliveries])).toEqual([
      ['mix', figures.events.mixDeliveries],
      ['renewals', figures.events.renewals],
    ]);
    expect(figures.summary['floor/mix']?.perEvent.dynamodb).toBe(2);
    expect(Number.isFinite(figures.floorRatios.renewals.p50)).toBe(true);
    expect(
      markdown({
        machine: { cores: 1, cpuModel: 'x', node: 'v', platform: 'p', date: 'd' },
        options: { quick: true },
        webhook: figures,
      }),
    ).toContain('Ours/floor: renewals');
    expect(figures.summary['ours/mix']?.perEvent.stripe).toBeLessThanOrEqual(
      figures.summary['baseline/mix']?.perEvent.stripe ?? 0,
    );
    expect(
      markdown({
        machine: { cores: 1, cpuModel: 'x', node: 'v', platform: 'p', date: 'd' },
        options: { quick: true },
        webhook: figures,
      }),
    ).toContain('ours/mix');
  }, 120_000);

  it('reconcile: seeded drift is found and repaired, Stripe list calls stay within users/100 + 10', async () => {
    // Act
    const size = await runReconcileSize({ users: 20, dryRuns: 1, drift: 2 });

    // Assess
    expect(size.dryRun.runs[0]?.findings).toBe(2);
    expect(size.apply.repairs).toEqual({ applied: 2, failed: 0 });
    expect(((size.apply.per1000.stripeList ?? 0) * size.users) / 1000).toBeLessThanOrEqual(size.stripeListBudget);
  }, 120_000);

  it('post-confirmation and bundles produce figures', async () => {
    // Act
    const post = await runPostConfirmationBench({ users: 2 });
    const entry = handlerEntries().find((file) => file.endsWith('stripe-webhook.ts'));
    const out = await bundle(entry ?? '', join(tmpdir(), `bench-smoke-${process.pid}`));
    const init = measureInit(out, 1);

    // Assess
    expect(post.latencyMs.runs).toBe(1);
    expect(init.runs).toBe(1);
    expect(init.median).toBeGreaterThan(0);
  }, 120_000);
});
