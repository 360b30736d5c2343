import type { AccessDenied } from '../domain/feature-gate';
import { type HttpResult, json } from './http';

/**
 * The 403 body of a gate denial: the usual `{ error: { code, message } }` plus what a frontend needs to offer an
 * upgrade: the feature or plan asked for, the caller's current plan and, when configured, where to upgrade.
 */
export interface FeatureDeniedBody {
  error: {
    code: 'feature_not_in_plan';
    message: string;
    requiredFeature: string | null;
    requiredPlan: string | null;
    currentPlan: string;
    upgradeUrl?: string;
  };
}

export function featureDenied(decision: AccessDenied, upgradeUrl?: string): HttpResult {
  const body: FeatureDeniedBody = {
    error: {
      code: decision.code,
      message: decision.message,
      requiredFeature: decision.requiredFeature,
      requiredPlan: decision.requiredPlan,
      currentPlan: decision.currentPlan,
      ...(upgradeUrl ? { upgradeUrl } : {}),
    },
  };
  return json(403, body);
}
