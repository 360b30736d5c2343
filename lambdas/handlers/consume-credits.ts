import { InvalidInputError } from '../domain/errors';
import { CONTRACTS } from '../platform/contracts';
import { consumeCreditsRequestSchema } from '../platform/credit-schemas';
import { header, httpError, json } from '../platform/http';
import { type HttpEvent, jwtRoute, parseBody } from '../platform/http-handler';
import { lambdaEntry } from '../platform/lambda-entry';
import { type ConsumeCreditsDeps, consumeCredits } from '../use-cases/credits/consume-credits';
import { consumeCreditsDeps } from '../wiring/credits';

/**
 * POST /credits/consume: debits the caller's credits once per idempotency key (header `Idempotency-Key` or body
 * `idempotencyKey`). 200 with the balance after it (a replay: its first answer), 409 `insufficient_credits` with the
 * balance, 409 `idempotency_key_reused` when the key was used with another amount.
 */
export function createConsumeCreditsHandler(deps: ConsumeCreditsDeps) {
  return jwtRoute(async (event, caller) => {
    const body = parseBody(event, consumeCreditsRequestSchema);
    const idempotencyKey = keyOf(event, body.idempotencyKey);
    const outcome = await consumeCredits(deps, caller.sub, { idempotencyKey, amount: body.amount });
    switch (outcome.kind) {
      case 'insufficient':
        return json(409, {
          error: { code: 'insufficient_credits', message: `Not enough credits: the balance is ${outcome.balance}.` },
          credits: { balance: outcome.balance },
        });
      case 'key-reused':
        return httpError(
          409,
          'idempotency_key_reused',
          `This idempotency key consumed ${outcome.consumption.amount} credits: use a new key for another amount.`,
        );
      default:
        return json(200, {
          consumed: outcome.consumption.amount,
          balance: outcome.consumption.balanceAfter,
          replayed: outcome.kind === 'replayed',
        });
    }
  });
}

function keyOf(event: HttpEvent, fromBody: string | undefined): string {
  const fromHeader = header(event, 'idempotency-key');
  if (fromHeader !== undefined && !consumeCreditsRequestSchema.shape.idempotencyKey.safeParse(fromHeader).success) {
    throw new InvalidInputError('Idempotency-Key: must be 1 to 255 printable ASCII characters');
  }
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new InvalidInputError('idempotencyKey: differs from the Idempotency-Key header (send one, or both equal)');
  }
  const key = fromHeader ?? fromBody;
  if (key === undefined)
    throw new InvalidInputError('Idempotency-Key: required (header, or idempotencyKey in the body)');
  return key;
}

const entry = lambdaEntry(CONTRACTS.consumeCredits, (runtime) =>
  createConsumeCreditsHandler(consumeCreditsDeps(runtime)),
);
export const handler = entry.handler;
export const handlerFromEnv = entry.fromEnv;
