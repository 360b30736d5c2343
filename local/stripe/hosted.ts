import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckoutPayment } from './checkout';
import type { StripeEngine } from './engine';
import { StripeApiError } from './errors';
import { send } from './http';
import type { Subscription } from './types';

/**
 * The hosted pages (no key needed, like Stripe's): visiting a Checkout Session's `url` pays it with a test payment
 * method (`?payment_method=pm_card_visa` by default, `?card=4000000000000341`, `?bank_account=000123456789`), and a
 * portal session's `url` shows the customer's subscriptions: as JSON to scripts, and to a browser as a page whose
 * "Cancel subscription" button cancels at once (a portal configured with `subscription_cancel.mode: immediately`,
 * https://docs.stripe.com/customer-management/configure-portal) and sends the browser to the session's return_url.
 */
export function hostedPage(
  engine: StripeEngine,
  mutate: <T>(work: () => T) => T,
  page: { kind: string; id: string; action?: string },
  req: IncomingMessage,
  res: ServerResponse,
  body = '',
): void {
  if (page.kind === 'portal') {
    if (page.action === '/cancel' && (req.method ?? '').toUpperCase() === 'POST') {
      portalCancel(engine, mutate, page.id, body, res);
      return;
    }
    if ((req.headers.accept ?? '').includes('text/html')) portalHtml(engine, page.id, res);
    else portalPage(engine, page.id, res);
    return;
  }
  const query = new URL(req.url ?? '/', 'http://local').searchParams;
  const payment: CheckoutPayment = {
    ...(query.get('payment_method') ? { paymentMethod: query.get('payment_method') as string } : {}),
    ...(query.get('card') ? { card: query.get('card') as string } : {}),
    ...(query.get('bank_account') ? { bankAccount: query.get('bank_account') as string } : {}),
  };
  const paymentMode = engine.store.get(page.id, 'checkout.session')?.mode === 'payment';
  const { session, subscription } = paymentMode
    ? { ...mutate(() => engine.completePaymentCheckout(page.id, payment)), subscription: undefined }
    : mutate(() => engine.completeCheckout(page.id, payment));
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
    subscription: subscription?.id ?? null,
    status: subscription?.status ?? null,
    payment_intent: session.payment_intent ?? null,
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

function portalSession(engine: StripeEngine, id: string) {
  const session = engine.store.get(id, 'billing_portal.session');
  if (!session) throw new StripeApiError(404, `No such portal session: '${id}'`);
  const subscriptions = engine.store.all<Subscription>('subscription').filter((s) => s.customer === session.customer);
  return { session, subscriptions };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function portalHtml(engine: StripeEngine, id: string, res: ServerResponse): void {
  const { session, subscriptions } = portalSession(engine, id);
  const rows = subscriptions.map((sub) => {
    const live = !['canceled', 'incomplete_expired'].includes(sub.status);
    const cancel = live
      ? `<form method="post" action="/_emulator/portal/${escapeHtml(id)}/cancel"><input type="hidden" name="subscription" value="${escapeHtml(sub.id)}"><button type="submit" data-testid="portal-cancel">Cancel subscription</button></form>`
      : '';
    return `<li><code>${escapeHtml(sub.id)}</code> <strong data-testid="portal-status">${escapeHtml(sub.status)}</strong>${cancel}</li>`;
  });
  const back =
    typeof session.return_url === 'string'
      ? `<p><a href="${escapeHtml(session.return_url)}" data-testid="portal-return">Return to the app</a></p>`
      : '';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Billing portal (Stripe emulator)</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 640px; margin: 2rem auto">
<h1>Billing portal</h1><p>Stripe emulator: customer <code>${escapeHtml(String(session.customer))}</code></p>
<ul>${rows.join('') || '<li>No subscriptions</li>'}</ul>${back}</body></html>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function portalCancel(
  engine: StripeEngine,
  mutate: <T>(work: () => T) => T,
  id: string,
  body: string,
  res: ServerResponse,
): void {
  const { session, subscriptions } = portalSession(engine, id);
  const subscription = new URLSearchParams(body).get('subscription') ?? '';
  if (!subscriptions.some((sub) => sub.id === subscription)) {
    throw new StripeApiError(404, `No such subscription for this portal session: '${subscription}'`);
  }
  mutate(() => engine.cancelSubscription(subscription));
  const next = typeof session.return_url === 'string' ? session.return_url : `/_emulator/portal/${id}`;
  res.writeHead(303, { location: next });
  res.end();
}
