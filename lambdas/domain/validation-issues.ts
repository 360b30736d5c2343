import type { $ZodError } from 'zod/v4/core';

/**
 * The one way a failed zod validation is told: `field: message` per issue, joined with "; ", so a 400 body, a
 * ConfigError or a refused trigger event names every offending field. Field paths are dotted (`plans.0.group`);
 * unknown keys read `a.b, a.c: unknown field`; a problem with the whole value is told as `root` (what the value is:
 * `body`, `query`, `(env)`, `(event)`, ...). `prefix` goes before each field (`--` for command-line flags).
 * Messages carry zod's text, never the input values (trigger events and bodies may hold PII).
 */
export function describeIssues(error: $ZodError, options: { root?: string; prefix?: string } = {}): string {
  const { root = '(root)', prefix = '' } = options;
  const field = (path: readonly PropertyKey[]) => (path.length > 0 ? `${prefix}${path.map(String).join('.')}` : root);
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${issue.keys.map((key) => field([...issue.path, key])).join(', ')}: unknown field`;
      }
      return `${field(issue.path)}: ${issue.message}`;
    })
    .join('; ');
}
