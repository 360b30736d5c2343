import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoCreditLedgerStore } from '../adapters/dynamo/credit-ledger-store';
import type { CONTRACTS } from '../platform/contracts';
import type { Runtime } from '../platform/runtime';
import type { ConsumeCreditsDeps } from '../use-cases/credits/consume-credits';

/** POST /credits/consume: the caller's ledger and the AuditLog. */
export function consumeCreditsDeps(runtime: Runtime<typeof CONTRACTS.consumeCredits>): ConsumeCreditsDeps {
  return {
    credits: {
      ledger: new DynamoCreditLedgerStore(runtime.ddb, runtime.tables.CREDITS_TABLE),
      audit: new DynamoAuditLog(runtime.ddb, runtime.tables.AUDIT_TABLE),
    },
    clock: runtime.clock,
  };
}
