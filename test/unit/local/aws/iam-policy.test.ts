import { describe, expect, it } from 'vitest';
import { evaluate, unusedGrants, wildcardMatch } from '../../../../local/aws/iam-policy';
import type { PolicyStatement, RecordedCall, ShippedFunction } from '../../../../local/aws/model';

const TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders';
const OTHER_TABLE = 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders2';
const INDEX = `${TABLE}/index/ByCustomer`;

const allow = (actions: string[], resources: string[]): PolicyStatement => ({ effect: 'Allow', actions, resources });
const deny = (actions: string[], resources: string[]): PolicyStatement => ({ effect: 'Deny', actions, resources });

describe('wildcardMatch', () => {
  it.each([
    ['*', 'anything at all', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['table/Orders?', 'table/Orders2', true],
    ['table/Orders?', 'table/Orders', false],
    ['table/Orders?', 'table/Orders22', false],
    ['a.b', 'aXb', false],
    ['a+(b)', 'a+(b)', true],
    ['line*', 'line1\nline2', true],
  ])('%s vs %s -> %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value, false)).toBe(expected);
  });
});

describe('evaluate', () => {
  it.each<[string, PolicyStatement[], string, string, boolean, RegExp]>([
    [
      'exact action and resource',
      [allow(['dynamodb:GetItem'], [TABLE])],
      'dynamodb:GetItem',
      TABLE,
      true,
      /statement 0/,
    ],
    ['service wildcard', [allow(['dynamodb:*'], [TABLE])], 'dynamodb:Scan', TABLE, true, /dynamodb:\*/],
    ['prefix wildcard', [allow(['dynamodb:Get*'], [TABLE])], 'dynamodb:GetItem', TABLE, true, /Get\*/],
    [
      'prefix wildcard, other action',
      [allow(['dynamodb:Get*'], [TABLE])],
      'dynamodb:PutItem',
      TABLE,
      false,
      /no statement/,
    ],
    ['action case differs', [allow(['DynamoDB:getitem'], [TABLE])], 'dynamodb:GetItem', TABLE, true, /statement 0/],
    [
      'resource case differs',
      [allow(['dynamodb:GetItem'], [TABLE.toLowerCase()])],
      'dynamodb:GetItem',
      TABLE,
      false,
      /no statement/,
    ],
    ['resource *', [allow(['dynamodb:GetItem'], ['*'])], 'dynamodb:GetItem', TABLE, true, /on \*/],
    [
      'resource ? wildcard',
      [allow(['dynamodb:GetItem'], [`${TABLE}?`])],
      'dynamodb:GetItem',
      OTHER_TABLE,
      true,
      /Orders\?/,
    ],
    [
      'table grant does not cover its index',
      [allow(['dynamodb:Query'], [TABLE])],
      'dynamodb:Query',
      INDEX,
      false,
      /no statement allows dynamodb:Query on .*ByCustomer/,
    ],
    ['index wildcard', [allow(['dynamodb:Query'], [`${TABLE}/index/*`])], 'dynamodb:Query', INDEX, true, /index/],
    [
      'table grant is not a prefix match',
      [allow(['dynamodb:GetItem'], [TABLE])],
      'dynamodb:GetItem',
      OTHER_TABLE,
      false,
      /no statement/,
    ],
    ['other service', [allow(['dynamodb:*'], ['*'])], 'secretsmanager:GetSecretValue', 'arn:x', false, /no statement/],
    ['no statements: default deny', [], 'dynamodb:GetItem', TABLE, false, /no statement allows dynamodb:GetItem on/],
    [
      'explicit deny wins over allow',
      [allow(['dynamodb:*'], ['*']), deny(['dynamodb:DeleteItem'], [TABLE])],
      'dynamodb:DeleteItem',
      TABLE,
      false,
      /explicitly denied by statement 1/,
    ],
    [
      'deny elsewhere does not apply',
      [allow(['dynamodb:*'], ['*']), deny(['dynamodb:DeleteItem'], [OTHER_TABLE])],
      'dynamodb:DeleteItem',
      TABLE,
      true,
      /allowed by statement 0/,
    ],
    [
      'second of several statements',
      [allow(['s3:GetObject'], ['*']), allow(['dynamodb:GetItem'], [OTHER_TABLE, TABLE])],
      'dynamodb:GetItem',
      TABLE,
      true,
      /statement 1/,
    ],
  ])('%s', (_case, statements, action, resource, allowed, reason) => {
    // Act
    const decision = evaluate(statements, action, resource);
    // Assess
    expect(decision.allowed).toBe(allowed);
    expect(decision.reason).toMatch(reason);
  });

  it('flags an explicit deny, which AWS words differently from the default deny', () => {
    const statements = [deny(['dynamodb:*'], ['*'])];
    expect(evaluate(statements, 'dynamodb:GetItem', TABLE).explicitDeny).toBe(true);
    expect(evaluate([], 'dynamodb:GetItem', TABLE).explicitDeny).toBe(false);
  });
});

describe('unusedGrants', () => {
  const fn = {
    logicalId: 'FnA',
    statements: [
      allow(['logs:CreateLogStream'], ['*']),
      allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [TABLE, INDEX]),
      allow(['dynamodb:Query'], [`${TABLE}/index/*`]),
      deny(['dynamodb:DeleteItem'], ['*']),
      allow(['dynamodb:GetItem'], [TABLE]),
    ],
  } as ShippedFunction;
  const call = (fnId: string, action: string, resources: string[]): RecordedCall => ({
    function: fnId,
    name: fnId,
    operation: action.split(':')[1] ?? '',
    action,
    resources,
  });

  it("reports each unmatched (action, resource) pattern once, counting only the function's own calls", () => {
    // Prepare
    const calls = [
      call('FnA', 'dynamodb:GetItem', [TABLE]),
      call('FnA', 'dynamodb:Query', [INDEX]),
      call('FnB', 'dynamodb:PutItem', [TABLE]),
    ];
    // Act
    const unused = unusedGrants(fn, calls);
    // Assess
    expect(unused).toEqual([
      { action: 'dynamodb:GetItem', resource: INDEX },
      { action: 'dynamodb:PutItem', resource: TABLE },
      { action: 'dynamodb:PutItem', resource: INDEX },
    ]);
  });

  it('can include the runtime-only services (logs, xray) too', () => {
    const unused = unusedGrants(fn, [], { ignoreServices: [] });
    expect(unused).toContainEqual({ action: 'logs:CreateLogStream', resource: '*' });
    expect(unused).toHaveLength(6);
  });
});
