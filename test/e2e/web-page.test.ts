import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';

/**
 * The example page (local/web/) clicked through in headless Chromium: Debian's `chromium` package driven by
 * playwright-core (never a downloaded browser build; .ci/run installs the package). Sign up, read the code from the
 * local inbox, confirm, see the free plan, be refused by both example routes, pay in Stripe Checkout (the emulator's
 * hosted page), come back, see the plan turn pro after the webhook and the authorizer route open, then cancel in the
 * billing portal (the emulator's page) and see the plan turn free and the route close again.
 * Screenshots go to SCREENSHOT_DIR (default: a temporary folder, printed): one at the end, one on failure.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`web page test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

describe.skipIf(!hasChromium)('example page in a browser', () => {
  let stack: LocalStack;
  let stateDir: string;
  let browser: Browser;
  let page: Page;
  let screenshots: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'web-page-'));
    screenshots = process.env.SCREENSHOT_DIR ?? join(stateDir, 'screenshots');
    await mkdir(screenshots, { recursive: true });
    stack = await startLocalStack({
      stateDir: join(stateDir, 'state'),
      ports: { api: 0, dynamodb: 0, cognito: 0, stripe: 0 },
      quiet: true,
      env: {},
      stripe: { webhookBackoffMs: () => 10 },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
  }, 120_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && page) {
      const file = join(screenshots, 'web-page-failure.png');
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.error(`screenshot of the failure: ${file}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (!process.env.SCREENSHOT_DIR) console.log(`screenshots kept in ${screenshots}`);
    await rm(join(stateDir, 'state'), { recursive: true, force: true });
  });

  const text = (testId: string) => page.getByTestId(testId).innerText();

  it('sign up -> confirm -> free -> refused -> Checkout -> pro after the webhook -> the gated route opens -> cancel in the portal -> closed again', async () => {
    // Prepare
    const email = `web-${process.pid}-${Date.now()}@example.com`;
    await page.goto(stack.info.webUrl);
    await page.waitForSelector('body[data-ready="true"]');

    // Act: sign up and confirm with the code from the local inbox
    await page.getByTestId('email').fill(email);
    await page.getByTestId('sign-up').click();
    await page.getByTestId('read-inbox').click();
    await expect.poll(() => page.getByTestId('code').inputValue()).toMatch(/^\d{6}$/);
    await page.getByTestId('confirm').click();
    await page.getByTestId('account').waitFor({ state: 'visible' });

    // Assess: the free plan, and both example routes refuse it
    expect(await text('who')).toBe(email);
    await expect.poll(() => text('plan')).toBe('free');
    expect(await text('status')).toBe('none');
    await page.getByTestId('try-reports').click();
    await expect.poll(() => text('reports-result')).toContain('403 forbidden');
    await page.getByTestId('try-team').click();
    await expect.poll(() => text('team-result')).toContain('403 feature_not_in_plan');
    expect(await text('team-result')).toContain('buy business');

    // Act: Stripe Checkout (the emulator's hosted page pays and sends the browser back)
    await page.getByTestId('checkout').click();
    await page.waitForURL(/\/app\/(\?.*)?$/, { timeout: 20_000 });
    await page.waitForSelector('body[data-ready="true"]');

    // Assess: the webhook made the user pro; the refreshed token opens the authorizer route
    await expect.poll(() => text('plan'), { timeout: 20_000 }).toBe('pro');
    expect(await text('status')).toBe('trialing'); // a first checkout includes the catalog's 14-day Stripe trial
    expect(await text('features')).toContain('scheduled-backups');
    await expect.poll(() => text('message'), { timeout: 20_000 }).toBe('Your plan is now pro.');
    await page.getByTestId('try-reports').click();
    await expect.poll(() => text('reports-result')).toContain('/example/reports: 200');
    expect(await text('reports-result')).toContain('"plan":"pro"');
    // The example Lambda's feature gate may answer from its record cache for up to 5 s (its staleness bound).
    await expect
      .poll(
        async () => {
          await page.getByTestId('try-team').click();
          return text('team-result');
        },
        { timeout: 10_000, interval: 1_000 },
      )
      .toContain('not in your plan (pro)');
    const file = join(screenshots, 'web-page.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);

    // Act: cancel in the billing portal (the emulator's page), back to the app
    await page.getByTestId('portal').click();
    await page.getByTestId('portal-cancel').click();
    await page.waitForURL(/\/app\/(\?.*)?$/, { timeout: 20_000 });
    await page.waitForSelector('body[data-ready="true"]');

    // Assess: free again once the webhook lands, and the authorizer route closes for the refreshed token
    await expect.poll(() => text('message'), { timeout: 20_000 }).toBe('Your plan is now free (canceled).');
    expect(await text('entitled')).toBe('no');
    await page.getByTestId('try-reports').click();
    await expect.poll(() => text('reports-result')).toContain('403 forbidden');
    await page.screenshot({ path: join(screenshots, 'web-page-canceled.png'), fullPage: true });
  });
});
