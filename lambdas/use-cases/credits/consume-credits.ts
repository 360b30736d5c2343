import { type ConsumeRequest, consumeStep } from '../../domain/credit-consumption';
import type { Consumption } from '../../domain/credit-ledger';
import { DependencyUnavailableError } from '../../domain/errors';
import { logger } from '../../platform/logger';
import type { Clock } from '../../ports/app-ports';
import type { CreditBook } from '../../ports/credit-ports';
import { commitLedger, reputPending } from './commit-ledger';

export interface ConsumeCreditsDeps {
  credits: CreditBook;
  clock: Clock;
}

export type ConsumeOutcome =
  | { kind: 'consumed' | 'replayed'; consumption: Consumption }
  | { kind: 'key-reused'; consumption: Consumption }
  | { kind: 'insufficient'; balance: number };

/**
 * Lost write races (concurrent consumptions or a grant of the same user) retried, each after a short random pause
 * so racing requests spread out, before answering 503 (the client retries with the same key: nothing is doubled).
 */
const MAX_ATTEMPTS = 10;
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 15 * attempt));

/**
 * Consumes credits once per idempotency key: read the ledger, take the pure step, write conditional on the version
 * read (with the debit's AuditLog entry), re-read on a lost race. Two concurrent requests never both spend the same
 * credits: the loser re-reads and sees the lower balance.
 */
export async function consumeCredits(
  deps: ConsumeCreditsDeps,
  sub: string,
  request: ConsumeRequest,
): Promise<ConsumeOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await pause(attempt);
    const stored = await deps.credits.ledger.get(sub);
    if (!stored) return { kind: 'insufficient', balance: 0 };
    const step = consumeStep(stored, request, deps.clock.now());
    if (step.kind === 'insufficient') return step;
    if (step.kind !== 'consumed') {
      await reputPending(deps.credits, stored, request.idempotencyKey);
      return step;
    }
    if ((await commitLedger(deps.credits, stored, step.ledger)) === 'written') {
      logger.info('credits consumed', {
        sub,
        idempotencyKey: request.idempotencyKey,
        amount: request.amount,
        balance: step.consumption.balanceAfter,
      });
      return { kind: 'consumed', consumption: step.consumption };
    }
  }
  throw new DependencyUnavailableError('dynamodb', `credit ledger of ${sub} kept changing; retry with the same key`);
}
