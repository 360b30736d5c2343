import type { SubscriptionToEnd } from '../../lambdas/domain/account-deletion';
import { DependencyUnavailableError } from '../../lambdas/domain/errors';
import type { BillingCleanup, UserCleanup } from '../../lambdas/ports/account-ports';

export class MemoryUserCleanup implements UserCleanup {
  readonly users = new Set<string>();
  async deleteUser(username: string) {
    return this.users.delete(username) ? ('deleted' as const) : ('absent' as const);
  }
}

interface StoredSubscription extends SubscriptionToEnd {
  customer: string;
}

/** Stripe as the deletion sees it: deleting a customer cancels its live subscriptions, like Stripe. */
export class MemoryBillingCleanup implements BillingCleanup {
  readonly customers = new Map<string, { deleted: boolean; email: string | null; metadata: Record<string, string> }>();
  readonly subscriptionsById = new Map<string, StoredSubscription>();
  readonly calls: string[] = [];
  addCustomer(id: string, email: string, sub: string) {
    this.customers.set(id, { deleted: false, email, metadata: { cognito_sub: sub } });
  }
  addSubscription(customer: string, id: string, status = 'active') {
    this.subscriptionsById.set(id, { id, customer, status, cancelAtPeriodEnd: false });
  }
  async subscriptions(customerId: string) {
    this.calls.push(`list ${customerId}`);
    if (this.customers.get(customerId)?.deleted !== false) return [];
    return [...this.subscriptionsById.values()]
      .filter((s) => s.customer === customerId)
      .map(({ id, status, cancelAtPeriodEnd }) => ({ id, status, cancelAtPeriodEnd }));
  }
  async cancelNow(id: string) {
    this.calls.push(`cancel ${id}`);
    const subscription = this.subscriptionsById.get(id);
    if (subscription) subscription.status = 'canceled';
  }
  async cancelAtPeriodEnd(id: string) {
    this.calls.push(`cancel-at-period-end ${id}`);
    const subscription = this.subscriptionsById.get(id);
    if (subscription) subscription.cancelAtPeriodEnd = true;
  }
  async deleteCustomer(id: string) {
    this.calls.push(`delete ${id}`);
    const customer = this.customers.get(id);
    if (!customer || customer.deleted) return;
    for (const subscription of this.subscriptionsById.values()) {
      if (subscription.customer === id && subscription.status !== 'canceled') subscription.status = 'canceled';
    }
    customer.deleted = true;
  }
  async anonymiseCustomer(id: string, deletedAt: Date) {
    this.calls.push(`anonymise ${id}`);
    const customer = this.customers.get(id);
    if (!customer || customer.deleted) return;
    customer.email = null;
    customer.metadata = { account_deleted_at: deletedAt.toISOString() };
  }
}

/**
 * Wraps every method of `target` so that the call numbered `failAt` (counting calls across all wrapped objects
 * sharing `counter`) throws a DependencyUnavailableError once: the fault table of the deletion use case.
 */
export function faulty<T extends object>(target: T, counter: { calls: string[]; failAt?: number }, label: string): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        counter.calls.push(`${label}.${String(property)}`);
        if (counter.failAt === counter.calls.length) {
          throw new DependencyUnavailableError('dynamodb', `injected failure at ${label}.${String(property)}`);
        }
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}
