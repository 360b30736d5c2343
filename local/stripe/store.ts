import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultSettings, type EmulatorSettings } from './settings';

/** A Stripe-shaped object as the emulator stores and returns it (plain JSON). */
export type StripeObject = Record<string, unknown> & { id: string; object: string };

export interface CheckoutInternals {
  lineItems: { price: string; quantity: number }[];
  subscriptionMetadata: Record<string, string>;
  trialPeriodDays?: number;
  trialEnd?: number;
  missingPaymentMethod?: string;
  /** Payment mode: `payment_intent_data[metadata]`, copied onto the PaymentIntent when the customer pays. */
  paymentIntentMetadata?: Record<string, string>;
}

export interface IdempotentResponse {
  fingerprint: string;
  status: number;
  body: string;
  at: number;
}

/** Emulator-only facts about an object (never part of an API answer): test-card behaviour, due times, ... */
export type Internal = Record<string, string | number | boolean | null | undefined>;

/** Everything the emulator knows, as one JSON document (persisted when a file is given). */
export interface StripeState {
  clockOffset: number;
  lastEventCreated: number;
  objects: Record<string, StripeObject>;
  /** Insertion order, newest last: Stripe lists newest first, and `created` has 1 s resolution. */
  order: string[];
  checkout: Record<string, CheckoutInternals>;
  idempotency: Record<string, IdempotentResponse>;
  /** customer id -> number of upcoming payment attempts that fail. */
  failNext: Record<string, number>;
  /** object id -> emulator-only facts. */
  internal: Record<string, Internal>;
  /** Account settings (dunning) as the Dashboard would hold them. */
  settings: EmulatorSettings;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${text}`;
}

export function emptyState(): StripeState {
  return {
    clockOffset: 0,
    lastEventCreated: 0,
    objects: {},
    order: [],
    checkout: {},
    idempotency: {},
    failNext: {},
    internal: {},
    settings: defaultSettings(),
  };
}

export class StripeStore {
  private state: StripeState;
  /** object type -> ids in insertion order (derived, rebuilt on load): lists and due scans skip other types. */
  private readonly byType = new Map<string, string[]>();

  constructor(
    private readonly file?: string,
    private readonly wallClock: () => number = Date.now,
  ) {
    this.state = file ? load(file) : emptyState();
    for (const id of this.state.order) this.index(this.state.objects[id]);
  }

  get raw(): StripeState {
    return this.state;
  }

  /** Emulator time in epoch seconds: wall time plus every advance so far, never going backwards. */
  now(): number {
    return Math.floor(this.wallClock() / 1000) + this.state.clockOffset;
  }

  advance(seconds: number): void {
    this.state.clockOffset += seconds;
  }

  get<T extends StripeObject = StripeObject>(id: string, object?: string): T | undefined {
    const found = this.state.objects[id];
    if (!found || (object && found.object !== object)) return undefined;
    return found as T;
  }

  put<T extends StripeObject>(value: T): T {
    if (!this.state.objects[value.id]) {
      this.state.order.push(value.id);
      this.index(value);
    }
    this.state.objects[value.id] = value;
    return value;
  }

  /** Objects of one type, newest first. */
  all<T extends StripeObject = StripeObject>(object: string): T[] {
    const ids = this.byType.get(object) ?? [];
    const out: T[] = [];
    for (let i = ids.length - 1; i >= 0; i -= 1) {
      const value = this.state.objects[ids[i] as string];
      if (value?.object === object) out.push(value as T);
    }
    return out;
  }

  /** Emulator-only facts of an object (created on first use). */
  internal(id: string): Internal {
    this.state.internal[id] ??= {};
    return this.state.internal[id];
  }

  private index(value: StripeObject | undefined): void {
    if (!value) return;
    const ids = this.byType.get(value.object) ?? [];
    ids.push(value.id);
    this.byType.set(value.object, ids);
  }

  private saveTimer: NodeJS.Timeout | undefined;

  /**
   * Schedules a write of the state file (debounced: a busy benchmark must not rewrite a growing JSON file on every
   * request). `flush()` writes at once; the emulator flushes on stop. A no-op when the emulator is in-memory.
   */
  save(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 200);
    this.saveTimer.unref();
  }

  /** Writes the state file now, atomically (temp file + rename). */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(this.state));
    renameSync(temp, this.file);
  }
}

function load(file: string): StripeState {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<StripeState>;
    return { ...emptyState(), ...saved, settings: { ...defaultSettings(), ...saved.settings } };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new Error(`Stripe emulator state ${file} is unreadable (delete it or start with --fresh)`, {
      cause: error,
    });
  }
}
