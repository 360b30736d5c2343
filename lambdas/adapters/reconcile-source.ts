import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CognitoUser } from '../domain/cognito-user';
import { identityProviderOf } from '../domain/cognito-user';
import type { CognitoUserSnapshot, ParkedEventRef } from '../domain/drift';
import { subFromMetadata } from '../domain/stripe-events';
import type { WebhookEntitlementRecord } from '../domain/webhook-entitlement-record';
import type { UserProfile } from '../ports/app-ports';
import type { ReconcileSource, SourceCustomer } from '../ports/reconcile-ports';
import type { ParkedEventStore } from '../ports/webhook-ports';
import { type BackoffOptions, withBackoff } from './backoff';
import type { CognitoGroupMemberSource } from './cognito/cognito-group-member-source';
import { type CognitoUserDirectory, escapeFilterValue } from './cognito/cognito-users';
import { parallelScan } from './dynamo/dynamo-scan';
import type { StripeCustomerSource } from './stripe/stripe-customer-source';

export interface AwsReconcileSourceDeps {
  directory: CognitoUserDirectory;
  members: CognitoGroupMemberSource;
  groups: { listGroupsForUser(username: string): Promise<string[]> };
  ddb: DynamoDBDocumentClient;
  tables: { profiles: string; entitlements: string };
  stripe: StripeCustomerSource;
  parked: ParkedEventStore;
  scanSegments?: number;
  backoff?: BackoffOptions;
}

/** Reconcile's reads against Cognito, DynamoDB and Stripe, all through paged list/scan APIs. */
export class AwsReconcileSource implements ReconcileSource {
  constructor(private readonly deps: AwsReconcileSourceDeps) {}

  /** A throttled ListUsers page fails the generator: the whole listing is retried (pages are cheap, 60 users). */
  listUsers(): Promise<CognitoUserSnapshot[]> {
    return withBackoff(async () => {
      const users: CognitoUserSnapshot[] = [];
      for await (const user of this.deps.directory.listAllUsers()) {
        const snapshot = toSnapshot(user);
        if (snapshot) users.push(snapshot);
      }
      return users;
    }, this.deps.backoff);
  }

  /** ListUsers filtered by sub (one call in Cognito); the attributes are re-checked since emulators ignore filters. */
  findUser(sub: string): Promise<CognitoUserSnapshot | undefined> {
    return withBackoff(async () => {
      for await (const user of this.deps.directory.listAllUsers({ filter: `sub = "${escapeFilterValue(sub)}"` })) {
        if (user.sub === sub) return toSnapshot(user);
      }
      return undefined;
    }, this.deps.backoff);
  }

  groupMembers(group: string): Promise<string[]> {
    return this.deps.members.usernamesIn(group);
  }

  groupsOfUser(username: string): Promise<string[]> {
    return withBackoff(() => this.deps.groups.listGroupsForUser(username), this.deps.backoff);
  }

  scanProfiles(): Promise<UserProfile[]> {
    return parallelScan<UserProfile>(this.deps.ddb, this.deps.tables.profiles, this.scanOptions());
  }

  scanEntitlements(): Promise<WebhookEntitlementRecord[]> {
    return parallelScan<WebhookEntitlementRecord>(this.deps.ddb, this.deps.tables.entitlements, this.scanOptions());
  }

  customers(): AsyncIterable<SourceCustomer> {
    return this.deps.stripe.customers();
  }

  async customersForUser(input: { sub: string; email?: string; linkedId?: string }): Promise<SourceCustomer[]> {
    const found = new Map<string, SourceCustomer>();
    if (input.email) {
      for (const customer of await this.deps.stripe.customersByEmail(input.email)) {
        if (subFromMetadata(customer.metadata) === input.sub) found.set(customer.id, customer);
      }
    }
    if (input.linkedId && !found.has(input.linkedId)) {
      const linked = await this.deps.stripe.customer(input.linkedId);
      if (linked) found.set(linked.id, linked);
    }
    return [...found.values()];
  }

  allSubscriptions(customerId: string): Promise<unknown[]> {
    return this.deps.stripe.allSubscriptions(customerId);
  }

  async parkedEvents(customerId?: string): Promise<ParkedEventRef[]> {
    const events = customerId
      ? await withBackoff(() => this.deps.parked.listByCustomer(customerId), this.deps.backoff)
      : await withBackoff(() => this.deps.parked.listAll(), this.deps.backoff);
    return events.map(({ eventId, type, stripeCustomerId, reason }) => ({ eventId, type, stripeCustomerId, reason }));
  }

  private scanOptions() {
    return {
      ...(this.deps.scanSegments ? { segments: this.deps.scanSegments } : {}),
      ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
    };
  }
}

/** Users without a sub cannot be matched to anything: skipped. */
export function toSnapshot(user: CognitoUser): CognitoUserSnapshot | undefined {
  if (!user.sub) return undefined;
  const { attributes } = user;
  return {
    sub: user.sub,
    username: user.username,
    ...(user.email ? { email: user.email } : {}),
    emailVerified: user.emailVerified,
    ...(attributes.given_name ? { givenName: attributes.given_name } : {}),
    ...(attributes.family_name ? { familyName: attributes.family_name } : {}),
    identityProvider: identityProviderOf(user.username, {
      ...attributes,
      ...(user.status ? { 'cognito:user_status': user.status } : {}),
    }),
    ...(user.status ? { status: user.status } : {}),
  };
}
