import type { CustomerGateway } from '../../ports/app-ports';

/**
 * A CustomerGateway that builds the Stripe client on first use, so a Secrets Manager failure counts as Stripe
 * being unavailable (profile written without a customer) instead of failing the whole trigger.
 */
export class LazyCustomerGateway implements CustomerGateway {
  private gateway: Promise<CustomerGateway> | undefined;
  constructor(private readonly load: () => Promise<CustomerGateway>) {}

  async createForUser(user: { sub: string; email: string; name?: string }) {
    return (await this.resolve()).createForUser(user);
  }

  async retrieve(customerId: string) {
    return (await this.resolve()).retrieve(customerId);
  }

  private resolve(): Promise<CustomerGateway> {
    this.gateway ??= this.load().catch((error: unknown) => {
      this.gateway = undefined; // retry the secret on the next call
      throw error;
    });
    return this.gateway;
  }
}
