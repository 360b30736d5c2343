/**
 * The answer to one Stripe delivery (use-cases/webhook/receive-delivery.ts), as data: the handler turns it into
 * HTTP (platform/stripe-webhook-http.ts).
 */
export type DeliveryResult =
  | {
      kind: 'rejected';
      code: 'missing_signature' | 'invalid_signature' | 'invalid_json' | 'invalid_event';
      message: string;
    }
  | { kind: 'not-configured'; message: string }
  /** The three answers to a validly signed event carry its type (the handler's per-event log line, a metric). */
  | { kind: 'ignored'; eventType: string }
  | { kind: 'duplicate'; eventType: string }
  | { kind: 'processed'; outcome: string; eventType: string };
