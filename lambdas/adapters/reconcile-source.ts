import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CognitoUserSnapshot, ParkedEventRef } from '../domain/drift';
import type { WebhookEntitlementRecord } from '../domain/webhook-entitlement-record';
import type { UserProfile } from '../ports/app-ports';
import type { ReconcileSource, SourceCustomer } from '../ports/reconcile-ports';
import type { ParkedEventStore } from '../ports/webhook-ports';
import { type BackoffOptions, withBackoff } from './backoff';
import type { CognitoGroupMemberSource } from './cognito/cognito-group-member-source';
import type { CognitoUserDirectory } from './cognito/cognito-users';
import { toSnapshot } from './cognito-snapshot';
import { parallelScan } from './dynamo/dynamo-scan';
import type { StripeCustomerSource } from './stripe/stripe-customer-source';
import { AwsUserRepairSource } from './user-repair-source';

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
  private readonly oneUser: AwsUserRepairSource;

  constructor(private readonly deps: AwsReconcileSourceDeps) {
    this.oneUser = new AwsUserRepairSource({
      directory: deps.directory,
      groups: deps.groups,
      stripe: async () => deps.stripe,
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
    });
  }

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

  findUser(sub: string): Promise<CognitoUserSnapshot | undefined> {
    return this.oneUser.findUser(sub);
  }

  groupMembers(group: string): Promise<string[]> {
    return this.deps.members.usernamesIn(group);
  }

  groupsOfUser(username: string): Promise<string[]> {
    return this.oneUser.groupsOfUser(username);
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

  customersForUser(input: { sub: string; email?: string; linkedId?: string }): Promise<SourceCustomer[]> {
    return this.oneUser.customersForUser(input);
  }

  allSubscriptions(customerId: string): Promise<unknown[]> {
    return this.oneUser.allSubscriptions(customerId);
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
