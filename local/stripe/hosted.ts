import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckoutPayment } from './checkout';
import type { StripeEngine } from './engine';
import { StripeApiError } from './errors';
import { send } from './http';
import type { Subscription } from './types';

/**
 * The hosted pages (no key needed, like Stripe's): visiting a Checkout Session's `url` pays it with a test payment
 * method (`?payment_method=pm_card_visa` by default, `?card=4000000000000341`, `?bank_account=000123456789`), and a
 * portal session's `url` shows the customer's subscriptions.
 */
export function hostedPage(
  engine: StripeEngine,
  mutate: <T>(work: () => T) => T,
  page: { kind: string; id: string },
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (page.kind === 'portal') {
    portalPage(engine, page.id, res);
    return;
  }
  const query = new URL(req.url ?? '/', 'http://local').searchParams;
  const payment: CheckoutPayment = {
    ...(query.get('payment_method') ? { paymentMethod: query.get('payment_method') as string } : {}),
    ...(query.get('card') ? { card: query.get('card') as string } : {}),
    ...(query.get('bank_account') ? { bankAccount: query.get('bank_account') as string } : {}),
  };
  const { session, subscription } = mutate(() => engine.completeCheckout(page.id, payment));
  const success =
    typeof session.success_url === 'string' ? session.success_url.replace('{CHECKOUT_SESSION_ID}', page.id) : undefined;
  // Browsers are sent on to the success URL like Stripe Checkout does; scripts get the outcome as JSON.
  if (success && (req.headers.accept ?? '').includes('text/html')) {
    res.writeHead(303, { location: success });
    res.end();
    return;
  }
  send(res, 200, {
    completed: true,
    session: session.id,
    payment_status: session.payment_status,
    subscription: subscription.id,
    status: subscription.status,
    redirect: success ?? null,
  });
}

function portalPage(engine: StripeEngine, id: string, res: ServerResponse): void {
  const session = engine.store.get(id, 'billing_portal.session');
  if (!session) throw new StripeApiError(404, `No such portal session: '${id}'`);
  const subscriptions = engine.store.all<Subscription>('subscription').filter((s) => s.customer === session.customer);
  send(res, 200, {
    portal: session,
    subscriptions: subscriptions.map(({ id: subId, status }) => ({ id: subId, status })),
  });
}
