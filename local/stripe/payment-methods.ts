import type { Billing } from './context';
import { cardDeclined, invalidParameter, noSuch } from './errors';
import { newId, type StripeObject } from './store';

/**
 * Test payment methods, as in Stripe's testing guide (https://docs.stripe.com/testing): a test token (`pm_card_visa`)
 * or test card number names a behaviour, and attaching it creates a new `pm_...` object of the customer.
 *
 * | token / number                                  | behaviour                                                            |
 * | ----------------------------------------------- | -------------------------------------------------------------------- |
 * | pm_card_visa / 4242424242424242                 | payments succeed                                                     |
 * | pm_card_mastercard / 5555555555554444           | payments succeed                                                     |
 * | pm_card_chargeDeclined / 4000000000000002       | declined (`card_declined`, `generic_decline`) at attach and payment  |
 * | pm_card_chargeCustomerFail / 4000000000000341   | attaches, every later payment declines                               |
 * | pm_card_createDispute / 4000000000000259        | payment succeeds, then a dispute (`fraudulent`) is opened            |
 * | pm_card_refundFail / 4000000000005126           | payment succeeds; a refund starts `succeeded`, later `failed`        |
 * | us_bank_account 000123456789 (pm_usBankAccount_success) | async: `processing`, later succeeds (ACH Direct Debit)     |
 * | us_bank_account 000111111113 (pm_usBankAccount_accountClosed) | async: `processing`, later fails (account closed)     |
 */
export type Behaviour = 'succeeds' | 'declines' | 'declines_after_attach' | 'disputes' | 'refund_fails' | 'async';

interface TestMethod {
  type: 'card' | 'us_bank_account';
  brand?: string;
  last4: string;
  behaviour: Behaviour;
  asyncOutcome?: 'succeeded' | 'failed';
}

const TEST_METHODS: Record<string, TestMethod> = {
  pm_card_visa: { type: 'card', brand: 'visa', last4: '4242', behaviour: 'succeeds' },
  pm_card_mastercard: { type: 'card', brand: 'mastercard', last4: '4444', behaviour: 'succeeds' },
  pm_card_chargeDeclined: { type: 'card', brand: 'visa', last4: '0002', behaviour: 'declines' },
  pm_card_chargeCustomerFail: { type: 'card', brand: 'visa', last4: '0341', behaviour: 'declines_after_attach' },
  pm_card_createDispute: { type: 'card', brand: 'visa', last4: '0259', behaviour: 'disputes' },
  pm_card_refundFail: { type: 'card', brand: 'visa', last4: '5126', behaviour: 'refund_fails' },
  pm_usBankAccount_success: { type: 'us_bank_account', last4: '6789', behaviour: 'async', asyncOutcome: 'succeeded' },
  pm_usBankAccount_accountClosed: {
    type: 'us_bank_account',
    last4: '1113',
    behaviour: 'async',
    asyncOutcome: 'failed',
  },
};

const CARD_NUMBERS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '5555555555554444': 'pm_card_mastercard',
  '4000000000000002': 'pm_card_chargeDeclined',
  '4000000000000341': 'pm_card_chargeCustomerFail',
  '4000000000000259': 'pm_card_createDispute',
  '4000000000005126': 'pm_card_refundFail',
};

const BANK_ACCOUNTS: Record<string, string> = {
  '000123456789': 'pm_usBankAccount_success',
  '000111111113': 'pm_usBankAccount_accountClosed',
};

/** The test token a hosted-page payment names: `payment_method`, a card number or a bank account number. */
export function testToken(input: { paymentMethod?: string; card?: string; bankAccount?: string }): string {
  if (input.card !== undefined) {
    const token = CARD_NUMBERS[input.card.replaceAll(' ', '')];
    if (!token) throw invalidParameter('card', `Not a Stripe test card number the emulator knows: ${input.card}`);
    return token;
  }
  if (input.bankAccount !== undefined) {
    const token = BANK_ACCOUNTS[input.bankAccount];
    if (!token) throw invalidParameter('bank_account', `Not a test account number: ${input.bankAccount}`);
    return token;
  }
  return input.paymentMethod ?? 'pm_card_visa';
}

export function isTestToken(value: string): boolean {
  return value in TEST_METHODS;
}

/** Creates a payment method from a test token and attaches it (`payment_method.attached`). */
export function attachTestPaymentMethod(billing: Billing, token: string, customer: string, param = 'payment_method') {
  const method = TEST_METHODS[token];
  if (!method) throw noSuch('PaymentMethod', token, param);
  if (method.behaviour === 'declines') throw cardDeclined('generic_decline', param);
  const id = newId('pm');
  const paymentMethod: StripeObject = billing.store.put({
    id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null },
    created: billing.now(),
    customer,
    livemode: false,
    metadata: {},
    type: method.type,
    ...(method.type === 'card'
      ? {
          card: {
            brand: method.brand,
            country: 'US',
            exp_month: 12,
            exp_year: 2034,
            funding: 'credit',
            last4: method.last4,
          },
        }
      : { us_bank_account: { account_type: 'checking', bank_name: 'STRIPE TEST BANK', last4: method.last4 } }),
  });
  Object.assign(billing.store.internal(id), { token, behaviour: method.behaviour, asyncOutcome: method.asyncOutcome });
  billing.emit('payment_method.attached', paymentMethod, customer);
  return paymentMethod;
}

/** An attached payment method of the customer (Stripe refuses one attached to someone else). */
export function paymentMethodOf(billing: Billing, id: string, customer: string, param: string): StripeObject {
  const method = billing.store.get(id, 'payment_method');
  if (!method) throw noSuch('PaymentMethod', id, param);
  if (method.customer !== customer) {
    throw invalidParameter(param, `The payment method ${id} is not attached to customer ${customer}.`);
  }
  return method;
}

export function behaviourOf(billing: Billing, paymentMethod: string): { behaviour: Behaviour; asyncOutcome?: string } {
  const facts = billing.store.internal(paymentMethod);
  return {
    behaviour: (facts.behaviour as Behaviour | undefined) ?? 'succeeds',
    ...(typeof facts.asyncOutcome === 'string' ? { asyncOutcome: facts.asyncOutcome } : {}),
  };
}
