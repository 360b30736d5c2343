import Stripe from 'stripe';

/** The Stripe client; imported on first use by the runtime (runtime.ts), so only paths that call Stripe load it. */
export interface StripeClientOptions {
  secretKey: string;
  /** Local emulator base URL (http://127.0.0.1:12111); absent for the real Stripe. */
  apiBase?: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  const base = options.apiBase ? new URL(options.apiBase) : undefined;
  return new Stripe(options.secretKey, {
    timeout: options.timeoutMs ?? 10_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    appInfo: { name: 'entitlements-backend' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}
