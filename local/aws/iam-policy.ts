import type { PolicyStatement, RecordedCall, ShippedFunction } from './model';

/**
 * IAM identity-policy evaluation for what CDK emits (Action/Resource lists, Allow/Deny, no conditions): an explicit
 * Deny wins, then any Allow, otherwise the default deny. Actions match case-insensitively (IAM does), resources
 * case-sensitively; both take `*` (any run) and `?` (one character).
 */

export interface Decision {
  allowed: boolean;
  /** True when a Deny statement matched: AWS words that refusal differently. */
  explicitDeny: boolean;
  reason: string;
}

export interface Grant {
  action: string;
  resource: string;
}

const patterns = new Map<string, RegExp>();

/** `*` and `?` wildcards as in IAM; every other character is literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let regex = patterns.get(key);
  if (!regex) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, ignoreCase ? 'si' : 's');
    patterns.set(key, regex);
  }
  return regex.test(value);
}

export const actionMatches = (pattern: string, action: string): boolean => wildcardMatch(pattern, action, true);
export const resourceMatches = (pattern: string, arn: string): boolean => wildcardMatch(pattern, arn, false);

function firstMatch(statements: PolicyStatement[], effect: 'Allow' | 'Deny', action: string, arn: string) {
  for (const [index, statement] of statements.entries()) {
    if (statement.effect !== effect) continue;
    const actionPattern = statement.actions.find((pattern) => actionMatches(pattern, action));
    const resourcePattern = statement.resources.find((pattern) => resourceMatches(pattern, arn));
    if (actionPattern !== undefined && resourcePattern !== undefined) return { index, actionPattern, resourcePattern };
  }
  return undefined;
}

export function evaluate(statements: PolicyStatement[], action: string, resourceArn: string): Decision {
  const deny = firstMatch(statements, 'Deny', action, resourceArn);
  if (deny) {
    const reason = `explicitly denied by statement ${deny.index} (${deny.actionPattern} on ${deny.resourcePattern})`;
    return { allowed: false, explicitDeny: true, reason };
  }
  const allow = firstMatch(statements, 'Allow', action, resourceArn);
  if (allow) {
    const reason = `allowed by statement ${allow.index} (${allow.actionPattern} on ${allow.resourcePattern})`;
    return { allowed: true, explicitDeny: false, reason };
  }
  return { allowed: false, explicitDeny: false, reason: `no statement allows ${action} on ${resourceArn}` };
}

export interface UnusedGrantsOptions {
  /**
   * Services whose grants only the Lambda service itself uses (log delivery, X-Ray segments), so function code never
   * calls them. Default `['logs', 'xray']`; pass `[]` to see every grant.
   */
  ignoreServices?: string[];
}

/**
 * Allow grants (statement action pattern x resource pattern, unexpanded) that no recorded call of this function
 * matched: candidates for a narrower role, or code paths the tests never exercised.
 */
export function unusedGrants(fn: ShippedFunction, calls: RecordedCall[], options: UnusedGrantsOptions = {}): Grant[] {
  const ignored = new Set((options.ignoreServices ?? ['logs', 'xray']).map((service) => service.toLowerCase()));
  const own = calls.filter((call) => call.function === fn.logicalId);
  const seen = new Set<string>();
  const unused: Grant[] = [];
  for (const statement of fn.statements.filter((s) => s.effect === 'Allow')) {
    for (const action of statement.actions) {
      if (ignored.has(action.split(':')[0]?.toLowerCase() ?? '')) continue;
      for (const resource of statement.resources) {
        const key = `${action.toLowerCase()} ${resource}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const used = own.some(
          (call) => actionMatches(action, call.action) && call.resources.some((arn) => resourceMatches(resource, arn)),
        );
        if (!used) unused.push({ action, resource });
      }
    }
  }
  return unused;
}
