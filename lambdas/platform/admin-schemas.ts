import { z } from 'zod';
import type { EntitlementOverride } from '../domain/entitlement';
import { subscriptionStatusResponseSchema } from './api-schemas';

/**
 * Response of POST and DELETE /admin/overrides (lambdas/handlers/admin-reconcile.ts), also in the OpenAPI document.
 * Pure: zod only.
 */
export const entitlementOverrideSchema = z
  .object({
    plan: z.string().meta({ description: 'The plan granted (a plan id of the catalog).' }),
    endsAt: z.iso
      .datetime({ offset: true })
      .nullable()
      .meta({ description: 'When the override ends; null: until revoked.' }),
    reason: z.string().meta({ description: 'Why it was granted (recorded in the audit trail).' }),
    operator: z
      .object({ sub: z.string(), email: z.string().optional() })
      .meta({ description: 'The operator who granted it (the caller of the grant).' }),
    grantedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ description: 'A plan granted by an operator, stored on the entitlement record.' });

export const overrideResponseSchema = z
  .object({
    sub: z.string().meta({ description: 'The Cognito sub of the user.' }),
    changed: z
      .boolean()
      .meta({ description: 'False when the request changed nothing (a revoke without an override).' }),
    override: entitlementOverrideSchema.nullable().meta({ description: 'The override now; null after a revoke.' }),
    status: subscriptionStatusResponseSchema.meta({
      description: 'The user status as GET /subscription/status shows it now.',
    }),
  })
  .meta({ description: 'The user override and status after a grant or a revoke.' });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The schema and the domain's record stay one shape: this fails to compile when either side changes alone. */
export const OVERRIDE_SCHEMA_MATCHES_RECORD: Same<
  Omit<z.output<typeof entitlementOverrideSchema>, 'plan'>,
  Omit<EntitlementOverride, 'plan'>
> = true;
