import { describe, expect, it } from 'vitest';
import { initialEntitlementRecord } from '../../../../lambdas/domain/entitlement';
import { CognitoUserMissingError, DependencyUnavailableError } from '../../../../lambdas/domain/errors';
import type { WebhookEntitlementRecord } from '../../../../lambdas/domain/webhook-entitlement-record';
import { applyGroups } from '../../../../lambdas/use-cases/webhook/apply-groups';
import { filterPatternOf, LOG_SIGNALS } from '../../../../lib/log-signals';
import { jsonFilterMatches } from '../../../support/log-filter';
import { useLogCapture } from '../../../support/logs';
import { catalog, memoryDeps, NOW } from '../../../support/webhook-memory';

/** The group applier's convergence under lost compare-and-sets (issue 15 item 6), on the in-memory ports. */
describe('applyGroups', () => {
  const sub = 'sub-race';
  function setup(stored: Partial<WebhookEntitlementRecord>, cognito: string[]) {
    const sleeps: number[] = [];
    const memory = memoryDeps();
    const deps = {
      ...memory.deps,
      groupConvergence: {
        rounds: 4,
        baseMs: 100,
        maxMs: 250,
        sleep: async (ms: number) => void sleeps.push(ms),
        random: () => 0.999,
      },
    };
    const record = { ...initialEntitlementRecord(catalog, { sub, cognitoUsername: sub }, NOW), ...stored };
    memory.entitlements.items.set(sub, structuredClone(record));
    memory.groups.members.set(sub, new Set(cognito));
    return { ...memory, deps, record, sleeps };
  }

  it('a rival recording before every compare-and-set: bounded jittered rounds, then marked unverified and thrown', async () => {
    // Prepare: every record attempt finds the record and its applied groups moved on by other writers
    const { deps, entitlements, record, sleeps } = setup({ groups: ['pro'], plan: 'pro', cognitoGroups: ['free'] }, [
      'free',
    ]);
    const set = entitlements.setCognitoGroups.bind(entitlements);
    entitlements.setCognitoGroups = async (...args) => {
      const stored = entitlements.items.get(sub);
      if (stored) {
        stored.entitlementsVersion += 1;
        stored.cognitoGroupsVersion = (stored.cognitoGroupsVersion ?? 0) + 1;
      }
      return set(...args);
    };

    // Act
    const applying = applyGroups(deps, record, { sub });

    // Assess: fast path + 4 converge rounds, 3 waits growing with the attempt and capped, then the mark
    await expect(applying).rejects.toThrow(DependencyUnavailableError);
    await expect(applying).rejects.toThrow(/did not settle in 4 rounds/);
    expect(sleeps).toEqual([99, 199, 249]);
    expect(entitlements.items.get(sub)?.cognitoGroupsUnverified).toBe(true);
  });

  it('an unverified record is not trusted: Cognito is listed and corrected, and the mark cleared', async () => {
    // Prepare: the record claims ['pro'] is applied, Cognito really has business (a lost interleaving)
    const { deps, entitlements, groups, record } = setup(
      { groups: ['pro'], plan: 'pro', cognitoGroups: ['pro'], cognitoGroupsUnverified: true, cognitoGroupsVersion: 3 },
      ['business'],
    );

    // Act
    const change = await applyGroups(deps, record, { sub });

    // Assess
    expect(change).toEqual({ added: ['pro'], removed: ['business'] });
    expect([...(groups.members.get(sub) ?? [])]).toEqual(['pro']);
    expect(entitlements.items.get(sub)).toMatchObject({ cognitoGroups: ['pro'], cognitoGroupsVersion: 4 });
    expect(entitlements.items.get(sub)?.cognitoGroupsUnverified).toBeUndefined();
  });

  it('an unverified record whose Cognito matches is re-recorded (mark cleared) without adding or removing a group', async () => {
    const { deps, entitlements, groups, record } = setup(
      { groups: ['pro'], plan: 'pro', cognitoGroups: ['pro'], cognitoGroupsUnverified: true },
      ['pro'],
    );

    expect(await applyGroups(deps, record, { sub })).toEqual({ added: [], removed: [] });
    expect(groups.calls).toEqual({ add: 0, remove: 0, list: 1 });
    expect(entitlements.items.get(sub)?.cognitoGroupsUnverified).toBeUndefined();
  });

  it('a lost compare-and-set re-checks Cognito: a rival whose calls interleaved is undone', async () => {
    // Prepare: our fast-path record loses to a rival that recorded ['business'] after adding it in Cognito
    const { deps, entitlements, groups, record } = setup({ groups: ['pro'], plan: 'pro', cognitoGroups: ['free'] }, [
      'free',
    ]);
    const set = entitlements.setCognitoGroups.bind(entitlements);
    let rivals = 1;
    entitlements.setCognitoGroups = async (...args) => {
      if (rivals-- > 0) {
        groups.members.get(sub)?.add('business');
        await set(sub, ['business'], NOW);
      }
      return set(...args);
    };

    // Act
    await applyGroups(deps, record, { sub });

    // Assess
    expect([...(groups.members.get(sub) ?? [])].sort()).toEqual(['pro']);
    expect(entitlements.items.get(sub)?.cognitoGroups).toEqual(['pro']);
  });

  describe('a Cognito user that no longer exists (issue 15 item 8)', () => {
    const logs = useLogCapture();

    it.each([
      ['add', 'addUserToGroup'],
      ['list (converge)', 'listGroupsForUser'],
    ] as const)(
      '%s refused with UserNotFound: no change, no failure, one WARN counted by the metric',
      async (_, call) => {
        // Prepare
        const { deps, groups, record } = setup(
          {
            groups: ['pro'],
            plan: 'pro',
            cognitoGroups: ['free'],
            cognitoGroupsUnverified: call === 'listGroupsForUser',
          },
          ['free'],
        );
        groups[call] = async () => {
          throw new CognitoUserMissingError(sub, `cognito failed: user ${sub} does not exist`);
        };

        // Act
        const change = await applyGroups(deps, record, { sub });

        // Assess
        expect(change).toEqual({ added: [], removed: [] });
        expect(logs.warnings()).toEqual(['Cognito user not found; group change skipped']);
        expect(logs.lines.find((line) => line.level === 'WARN')).toMatchObject({
          sub,
          username: sub,
          desiredGroups: ['pro'],
        });
        const pattern = filterPatternOf(LOG_SIGNALS.groupChangesForMissingUsers).logPatternString;
        expect(
          logs.lines.filter((line) => line.level === 'WARN').map((line) => jsonFilterMatches(pattern, line)),
        ).toEqual([true]);
      },
    );

    it('any other Cognito failure still fails the delivery (Stripe retries)', async () => {
      const { deps, groups, record } = setup({ groups: ['pro'], plan: 'pro', cognitoGroups: ['free'] }, ['free']);
      groups.addUserToGroup = async () => {
        throw new DependencyUnavailableError('cognito', 'cognito add to group pro failed (TooManyRequestsException)');
      };

      await expect(applyGroups(deps, record, { sub })).rejects.toThrow(/TooManyRequestsException/);
      expect(logs.warnings()).toEqual([]);
    });
  });
});
