/** In-memory ports with the adapters' semantics, shared with the other unit suites. */
export {
  MemoryCustomers as StripeCustomersDouble,
  MemoryEntitlements,
  MemoryGroups,
  MemoryProfiles,
} from './memory-ports';

export const fixedClock = { now: () => new Date('2026-11-01T12:00:00.000Z') };
