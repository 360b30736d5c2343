import { DependencyUnavailableError } from '../../../lambdas/domain/errors';
import type { CustomerGateway, StripeCustomerRef } from '../../../lambdas/ports/app-ports';

/** Stripe customers: the key `customer-for-<sub>` returns the same customer, like Stripe; `down` simulates an outage. */
export class MemoryCustomerGateway implements CustomerGateway {
  readonly byKey = new Map<string, StripeCustomerRef>();
  /** Every create request (replays included) and the distinct customers actually created. */
  creates = 0;
  readonly created: Array<{ sub: string; email: string; name?: string }> = [];
  down = false;
  async createForUser(user: { sub: string; email: string; name?: string }) {
    if (this.down)
      throw new DependencyUnavailableError('stripe', 'stripe customer create failed (StripeConnectionError)');
    this.creates += 1;
    const key = `customer-for-${user.sub}`;
    let customer = this.byKey.get(key);
    if (!customer) {
      this.created.push(user);
      customer = { id: `cus_${this.byKey.size + 1}`, email: user.email, metadata: { cognito_sub: user.sub } };
      this.byKey.set(key, customer);
    }
    return customer;
  }
  async retrieve(id: string) {
    return [...this.byKey.values()].find((c) => c.id === id);
  }
}
