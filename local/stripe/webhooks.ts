import Stripe from 'stripe';
import type { StripeEvent } from './types';

/**
 * Webhook delivery (https://docs.stripe.com/webhooks): signed POSTs (`Stripe-Signature: t=..,v1=HMAC-SHA256(secret,
 * "t.body")`), at least once, retried with backoff on a non-2xx answer or a network error. Stripe "doesn't guarantee
 * delivery of events in the order in which they're generated" (#event-ordering), retries for up to three days in
 * live mode and three times over a few hours in a sandbox (#retries), stops retrying an event once the endpoint is
 * disabled, and disables an endpoint that keeps failing (#disable-behavior).
 *
 * Locally the defaults stay deterministic for the journey (one ordered queue per customer, quick retries, 4 attempts
 * = the first plus the sandbox's 3 retries); `realism` switches on Stripe's freedoms per test: random order within
 * a window, duplicates, and disabling the endpoint after persistent failures. Backoff runs on wall time (compressed).
 */

export interface Delivery {
  eventId: string;
  type: string;
  customer: string | undefined;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  lastStatusCode?: number;
  lastError?: string;
  /** A second delivery of an event already sent (Stripe delivers at least once). */
  duplicate?: boolean;
  /** Order in which first attempts were made (1-based), so tests can see the arrival order. */
  sequence?: number;
}

export interface DeliveryRealism {
  /** `per-customer`: one ordered queue per customer (default); `shuffle`: random order within `windowMs`. */
  order: 'per-customer' | 'shuffle';
  windowMs: number;
  /** Share of events delivered a second time (0..1). */
  duplicateRate: number;
  /** Seed of the shuffle and duplicate choices. */
  seed: number;
  /** Events given up in a row after which the endpoint is disabled; null: never. */
  disableAfterFailures: number | null;
}

export interface EndpointState {
  url: string | null;
  status: 'enabled' | 'disabled';
  consecutiveFailures: number;
  disabledAt: string | null;
}

export interface WebhookOptions {
  secret: string;
  /** Where events are POSTed; none: events are recorded but not sent (status `skipped`). */
  url?: string;
  /** Attempts per event before giving up. */
  maxAttempts?: number;
  /** Delay before retry n (1-based), in ms. Default 100 * 2^(n-1). */
  backoffMs?: (attempt: number) => number;
  timeoutMs?: number;
  onDelivery?: (delivery: Delivery) => void;
  realism?: Partial<DeliveryRealism>;
}

export const DEFAULT_REALISM: DeliveryRealism = {
  order: 'per-customer',
  windowMs: 50,
  duplicateRate: 0,
  seed: 1,
  disableAfterFailures: null,
};

const signer = new Stripe('sk_test_signing_only');

interface Job {
  delivery: Delivery;
  body: string;
}

export class WebhookDispatcher {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private buffer: Job[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private realism: DeliveryRealism;
  private random: () => number;
  private sequence = 0;
  private stopped = false;
  readonly deliveries: Delivery[] = [];
  readonly endpoint: EndpointState;

  constructor(private options: WebhookOptions) {
    this.realism = { ...DEFAULT_REALISM, ...options.realism };
    this.random = rng(this.realism.seed);
    this.endpoint = { url: options.url ?? null, status: 'enabled', consecutiveFailures: 0, disabledAt: null };
  }

  setUrl(url: string | undefined): void {
    this.options = { ...this.options, url };
    this.endpoint.url = url ?? null;
  }

  get url(): string | undefined {
    return this.options.url;
  }

  /** Switches delivery realism (and re-seeds it); takes effect for events emitted from now on. */
  setRealism(change: Partial<DeliveryRealism>): DeliveryRealism {
    this.realism = { ...this.realism, ...change };
    this.random = rng(this.realism.seed);
    return this.realism;
  }

  getRealism(): DeliveryRealism {
    return { ...this.realism };
  }

  /** Re-enables a disabled endpoint (what "Enable" in the Dashboard does); past events are not resent. */
  enable(): void {
    Object.assign(this.endpoint, { status: 'enabled', consecutiveFailures: 0, disabledAt: null });
  }

  enqueue(event: StripeEvent, customer: string | undefined): void {
    const delivery = this.record(event.id, event.type, customer);
    // The payload is serialised now: later changes to the object must not leak into an earlier event.
    const job = { delivery, body: JSON.stringify(event, null, 2) };
    if (this.realism.order === 'shuffle') {
      this.buffer.push(job);
      this.flushTimer ??= setTimeout(() => this.flush(), this.realism.windowMs);
      return;
    }
    const key = customer ?? '(no customer)';
    const next = (this.queues.get(key) ?? Promise.resolve()).then(() => this.inOrder(job));
    this.queues.set(key, next);
    this.track(next);
    void next.finally(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
  }

  /** Delivery state of an event: true when every delivery succeeded, false when one was given up. */
  deliveredOk(eventId: string): boolean | undefined {
    const of = this.deliveries.filter((d) => d.eventId === eventId && !d.duplicate);
    if (of.length === 0 || of.some((d) => d.status === 'pending')) return undefined;
    if (of.some((d) => d.status === 'failed')) return false;
    return of.every((d) => d.status === 'delivered') ? true : undefined;
  }

  /** Resolves once every event enqueued so far (and any enqueued meanwhile) is delivered or given up. */
  async drain(): Promise<{ delivered: number; failed: number; skipped: number }> {
    this.flush();
    while (this.inFlight.size > 0 || this.buffer.length > 0) {
      this.flush();
      await Promise.all([...this.inFlight]);
    }
    const count = (status: Delivery['status']) =>
      this.deliveries.filter((d) => d.status === status && !d.duplicate).length;
    return { delivered: count('delivered'), failed: count('failed'), skipped: count('skipped') };
  }

  stop(): void {
    this.stopped = true;
    this.flush();
  }

  private record(eventId: string, type: string, customer: string | undefined, duplicate = false): Delivery {
    const delivery: Delivery = {
      eventId,
      type,
      customer,
      attempts: 0,
      status: 'pending',
      ...(duplicate ? { duplicate } : {}),
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Per-customer order: the next event of the customer waits until this one is delivered or given up. */
  private async inOrder(job: Job): Promise<void> {
    await this.attempts(job);
    if (job.delivery.status === 'delivered' && this.random() < this.realism.duplicateRate) {
      await this.attempts(this.duplicateOf(job));
    }
  }

  /** Shuffle: the buffered window goes out in a random order, duplicates at random later positions. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.buffer.length === 0) return;
    const batch = shuffle(this.buffer, this.random);
    this.buffer = [];
    for (const job of [...batch]) {
      if (this.random() < this.realism.duplicateRate) {
        const at = batch.indexOf(job) + 1 + Math.floor(this.random() * (batch.length - batch.indexOf(job)));
        batch.splice(at, 0, this.duplicateOf(job));
      }
    }
    const run = (async () => {
      // First attempts go out one by one in the shuffled order; retries run on their own schedule.
      for (const job of batch) {
        await this.attempt(job);
        if (job.delivery.status === 'pending') this.track(this.retries(job));
      }
    })();
    this.track(run);
  }

  private duplicateOf(job: Job): Job {
    const { eventId, type, customer } = job.delivery;
    return { delivery: this.record(eventId, type, customer, true), body: job.body };
  }

  private async attempts(job: Job): Promise<void> {
    await this.attempt(job);
    await this.retries(job);
  }

  private async retries(job: Job): Promise<void> {
    const backoff = this.options.backoffMs ?? ((n: number) => 100 * 2 ** (n - 1));
    while (job.delivery.status === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, backoff(job.delivery.attempts)));
      await this.attempt(job);
    }
  }

  /** One POST; settles the delivery when it succeeded, was given up, or cannot be sent. */
  private async attempt(job: Job): Promise<void> {
    const { delivery } = job;
    const url = this.options.url;
    if (!url || this.stopped) {
      delivery.status = 'skipped';
      return this.settled(delivery);
    }
    if (this.endpoint.status === 'disabled') {
      // A disabled endpoint gets nothing new, and retries of earlier events stop.
      Object.assign(delivery, {
        status: delivery.attempts === 0 ? 'skipped' : 'failed',
        lastError: 'endpoint disabled',
      });
      return this.settled(delivery);
    }
    if (delivery.attempts === 0) delivery.sequence = ++this.sequence;
    delivery.attempts += 1;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signer.webhooks.generateTestHeaderString({
            payload: job.body,
            secret: this.options.secret,
          }),
        },
        body: job.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      delivery.lastStatusCode = response.status;
      await response.arrayBuffer();
      if (response.ok) {
        delivery.status = 'delivered';
        this.endpoint.consecutiveFailures = 0;
        return this.settled(delivery);
      }
      delivery.lastError = `HTTP ${response.status}`;
    } catch (error) {
      delivery.lastError = (error as Error).message;
    }
    if (delivery.attempts >= (this.options.maxAttempts ?? 4)) {
      delivery.status = 'failed';
      this.countFailure();
      this.settled(delivery);
    }
  }

  private countFailure(): void {
    this.endpoint.consecutiveFailures += 1;
    const limit = this.realism.disableAfterFailures;
    if (limit !== null && this.endpoint.consecutiveFailures >= limit && this.endpoint.status === 'enabled') {
      Object.assign(this.endpoint, { status: 'disabled', disabledAt: new Date().toISOString() });
    }
  }

  private settled(delivery: Delivery): void {
    this.options.onDelivery?.(delivery);
  }
}

/** Small seeded PRNG (mulberry32): the same seed gives the same order and duplicates. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
