import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from '../../../lambdas/domain/validation-issues';

const body = z
  .object({
    plan: z.enum(['pro', 'starter']),
    nested: z.object({ url: z.url() }).strict().optional(),
    count: z.number().int().optional(),
  })
  .strict();

const issuesOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a validation failure');
  return result.error;
};

describe('describeIssues', () => {
  it.each<[string, z.ZodType, unknown, Parameters<typeof describeIssues>[1], string]>([
    ['a field', body, { plan: 'gold' }, {}, 'plan: Invalid option: expected one of "pro"|"starter"'],
    ['a nested field, dotted', body, { plan: 'pro', nested: { url: 'x' } }, {}, 'nested.url: Invalid URL'],
    ['an unknown key at the top', body, { plan: 'pro', coupon: 'FREE' }, {}, 'coupon: unknown field'],
    [
      'unknown keys in a nested object, with their path',
      body,
      { plan: 'pro', nested: { url: 'https://a.example', a: 1, b: 2 } },
      {},
      'nested.a, nested.b: unknown field',
    ],
    [
      'every issue, joined with "; "',
      body,
      { plan: 'gold', count: 1.5 },
      {},
      'plan: Invalid option: expected one of "pro"|"starter"; count: Invalid input: expected int, received number',
    ],
    [
      'the whole value, as the default root',
      body,
      'text',
      {},
      '(root): Invalid input: expected object, received string',
    ],
    [
      'the whole value, as the given root',
      body,
      null,
      { root: 'body' },
      'body: Invalid input: expected object, received null',
    ],
    [
      'a prefix before each field (flags)',
      body,
      { plan: 'gold', x: 1 },
      { prefix: '--' },
      '--plan: Invalid option: expected one of "pro"|"starter"; --x: unknown field',
    ],
    [
      'no prefix on the root',
      z.string(),
      1,
      { prefix: '--', root: 'arguments' },
      'arguments: Invalid input: expected string, received number',
    ],
    [
      'array indexes in the path',
      z.object({ list: z.array(z.string()) }),
      { list: ['a', 2] },
      {},
      'list.1: Invalid input: expected string, received number',
    ],
  ])('%s', (_label, schema, value, options, expected) => {
    expect(describeIssues(issuesOf(schema, value), options)).toBe(expected);
  });

  it('never repeats the offending value (bodies and trigger events may hold PII)', () => {
    const error = issuesOf(z.object({ email: z.email() }).strict(), { email: 'secret-person@', extra: 'hidden-value' });
    const message = describeIssues(error);
    expect(message).toContain('email: ');
    expect(message).toContain('extra: unknown field');
    expect(message).not.toContain('secret-person');
    expect(message).not.toContain('hidden-value');
  });
});
