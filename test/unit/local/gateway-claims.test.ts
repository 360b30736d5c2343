import { describe, expect, it } from 'vitest';
import { apiGatewayClaims } from '../../../local/gateway/jwt';

describe('gateway claims', () => {
  it('renders claims like API Gateway: strings, arrays as "[a b]"', () => {
    // Act
    const claims = apiGatewayClaims({
      sub: 's',
      exp: 1700000000,
      'cognito:groups': ['pro', 'free'],
      email_verified: true,
    });

    // Assess
    expect(claims).toEqual({ sub: 's', exp: '1700000000', 'cognito:groups': '[pro free]', email_verified: 'true' });
  });
});
