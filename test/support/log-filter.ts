/**
 * Evaluates a CloudWatch Logs JSON filter pattern (the subset lib/log-signals.ts renders: `$.key = "value"`
 * comparisons joined by `&&` / `||` with parentheses, inside `{ }`) against one parsed log line, the way CloudWatch
 * does for a metric filter: exact string equality on top-level or dotted keys. A test of a metric filter feeds it
 * the line the Lambda really wrote, so a filter that no longer matches its line fails.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html#matching-terms-json-log-events
 */
export function jsonFilterMatches(pattern: string, line: Record<string, unknown>): boolean {
  const tokens = tokenize(pattern);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`filter pattern: expected ${expected ?? 'a token'} at ${at - 1} in ${pattern}`);
    }
    return token;
  };
  const primary = (): boolean => {
    if (peek() === '(') {
      take('(');
      const value = or();
      take(')');
      return value;
    }
    const selector = take();
    if (!selector.startsWith('$.')) throw new Error(`filter pattern: unsupported selector ${selector}`);
    take('=');
    const literal = take();
    if (!literal.startsWith('"')) throw new Error(`filter pattern: only quoted strings are supported (${literal})`);
    const expected = JSON.parse(literal) as string;
    const actual = selector
      .slice(2)
      .split('.')
      .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], line);
    return typeof actual === 'string' && actual === expected;
  };
  const and = (): boolean => {
    let value = primary();
    while (peek() === '&&') {
      take('&&');
      value = primary() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === '||') {
      take('||');
      value = and() || value;
    }
    return value;
  };
  take('{');
  const result = or();
  take('}');
  if (at !== tokens.length) throw new Error(`filter pattern: trailing tokens in ${pattern}`);
  return result;
}

function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|&&|\|\||[{}()=]|\$[\w.$]+)/y;
  let end = 0;
  for (let match = re.exec(pattern); match; match = re.exec(pattern)) {
    tokens.push(match[1] as string);
    end = re.lastIndex;
  }
  if (pattern.slice(end).trim() !== '') throw new Error(`filter pattern: cannot read ${pattern.slice(end)}`);
  return tokens;
}
