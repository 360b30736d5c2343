import { describe, expect, it } from 'vitest';
import { isAllowedOrigin, ORIGIN_RULE, originSchema } from '../../../lambdas/platform/origins';

describe('isAllowedOrigin (the one origin rule)', () => {
  it.each([
    ['https://app.example.com', true],
    ['https://app.example.com:8443', true],
    ['http://localhost:5173', true],
    ['http://localhost', true],
    ['http://127.0.0.1:3000', true],
    ['https://localhost:5173', true],
    ['http://app.example.com', false],
    ['http://192.168.1.10:3000', false],
    ['http://localhost.evil.test', false],
    ['https://app.example.com/', false],
    ['https://app.example.com/path', false],
    ['https://app.example.com?x=1', false],
    ['https://APP.example.com', false],
    ['https://app.example.com:443', false],
    ['https://user:pw@app.example.com', false],
    ['ftp://app.example.com', false],
    ['app.example.com', false],
    ['', false],
  ])('%s -> %s', (value, allowed) => {
    expect(isAllowedOrigin(value)).toBe(allowed);
  });

  it('gives the rule as the schema message', () => {
    const result = originSchema.safeParse('http://app.example.com');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([ORIGIN_RULE]);
  });
});
