import { describe, expect, it } from 'vitest';
import { decodeForm, keyPath } from '../../../local/stripe/form';
import { ALLOW, checkParams } from '../../../local/stripe/params';

describe('Stripe form decoding', () => {
  it('decodes nested maps, indexed arrays and appended arrays as stripe-node sends them', () => {
    // Prepare
    const body =
      'metadata[cognito_sub]=abc&line_items[1][price]=p2&line_items[0][price]=p1&line_items[0][quantity]=2&expand[]=a&expand[]=b';

    // Act
    const decoded = decodeForm(body);

    // Assess
    expect(decoded).toEqual({
      metadata: { cognito_sub: 'abc' },
      line_items: [{ price: 'p1', quantity: '2' }, { price: 'p2' }],
      expand: ['a', 'b'],
    });
  });

  it('splits keys into path segments', () => {
    expect(keyPath('subscription_data[metadata][cognito_sub]')).toEqual([
      'subscription_data',
      'metadata',
      'cognito_sub',
    ]);
    expect(keyPath('lookup_keys[]')).toEqual(['lookup_keys', '']);
  });
});

describe('Stripe parameter allow-lists', () => {
  it('accepts the parameters our code sends for a checkout session', () => {
    // Prepare
    const body = new URLSearchParams({
      mode: 'subscription',
      customer: 'cus_1',
      'line_items[0][price]': 'price_1',
      'line_items[0][quantity]': '1',
      client_reference_id: 'sub-1',
      'subscription_data[metadata][cognito_sub]': 'sub-1',
      'subscription_data[trial_period_days]': '14',
      success_url: 'http://localhost:5173/ok',
      'expand[0]': 'subscription',
    }).toString();

    // Act / Assess
    expect(() => checkParams(body, ALLOW.checkoutCreate)).not.toThrow();
  });

  it.each([
    ['emial=a@b.c', ALLOW.customerCreate, 'emial'],
    ['line_items[0][pricee]=p', ALLOW.checkoutCreate, 'line_items[0][pricee]'],
    ['subscription_data[metdata][x]=1', ALLOW.checkoutCreate, 'subscription_data[metdata][x]'],
    ['metadata[]=x', ALLOW.customerCreate, 'metadata[]'],
  ])('rejects %s naming the parameter', (body, allow, param) => {
    // Act
    const act = () => checkParams(body, allow);

    // Assess
    expect(act).toThrow(
      expect.objectContaining({ status: 400, details: expect.objectContaining({ code: 'parameter_unknown', param }) }),
    );
  });
});
