import Stripe from 'stripe';
import type { StripeEvent } from './engine';

export interface Delivery {
  eventId: string;
  type: string;
  customer: string | undefined;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  lastStatusCode?: number;
  lastError?: string;
}

export interface WebhookOptions {
  secret: string;
  /** Where events are POSTed; none: events are recorded but not sent (status `skipped`). */
  url?: string;
  /** Attempts per event before giving up (Stripe retries for 3 days; locally a few quick tries). */
  maxAttempts?: number;
  /** Delay before retry n (1-based), in ms. Default 100 * 2^(n-1). */
  backoffMs?: (attempt: number) => number;
  timeoutMs?: number;
  onDelivery?: (delivery: Delivery) => void;
}

const signer = new Stripe('sk_test_signing_only');

/**
 * Delivers events like Stripe: signed POSTs (`Stripe-Signature: t=..,v1=HMAC-SHA256(secret, "t.body")`), retried
 * with backoff on non-2xx or network errors, bounded. One queue per customer keeps a customer's events in order;
 * customers are delivered in parallel.
 */
export class WebhookDispatcher {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  readonly deliveries: Delivery[] = [];
  private stopped = false;

  constructor(private options: WebhookOptions) {}

  setUrl(url: string | undefined): void {
    this.options = { ...this.options, url };
  }

  get url(): string | undefined {
    return this.options.url;
  }

  enqueue(event: StripeEvent, customer: string | undefined): void {
    const delivery: Delivery = { eventId: event.id, type: event.type, customer, attempts: 0, status: 'pending' };
    this.deliveries.push(delivery);
    // The payload is serialised now: later changes to the object must not leak into an earlier event.
    const body = JSON.stringify(event, null, 2);
    const key = customer ?? '(no customer)';
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(delivery, body));
    this.queues.set(key, next);
    this.inFlight.add(next);
    void next.finally(() => {
      this.inFlight.delete(next);
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /** Resolves once every event enqueued so far (and any enqueued meanwhile) is delivered or given up. */
  async drain(): Promise<{ delivered: number; failed: number; skipped: number }> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    const count = (status: Delivery['status']) => this.deliveries.filter((d) => d.status === status).length;
    return { delivered: count('delivered'), failed: count('failed'), skipped: count('skipped') };
  }

  stop(): void {
    this.stopped = true;
  }

  private async deliver(delivery: Delivery, body: string): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoff = this.options.backoffMs ?? ((n: number) => 100 * 2 ** (n - 1));
    while (delivery.attempts < maxAttempts) {
      const url = this.options.url;
      if (!url || this.stopped) {
        delivery.status = 'skipped';
        break;
      }
      delivery.attempts += 1;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
            'stripe-signature': signer.webhooks.generateTestHeaderString({
              payload: body,
              secret: this.options.secret,
            }),
          },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        delivery.lastStatusCode = response.status;
        await response.arrayBuffer();
        if (response.ok) {
          delivery.status = 'delivered';
          break;
        }
        delivery.lastError = `HTTP ${response.status}`;
      } catch (error) {
        delivery.lastError = (error as Error).message;
      }
      if (delivery.attempts >= maxAttempts) {
        delivery.status = 'failed';
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, backoff(delivery.attempts)));
    }
    this.options.onDelivery?.(delivery);
  }
}
