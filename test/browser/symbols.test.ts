/**
 * Browser: the dashboard with many symbols, in headless Chromium against a real live server
 * over a simulated venue listing BTCUSDT and ETHUSDT. The picker switches symbols in place (URL
 * in step, back button too), each symbol shows its order book and its fills, fills made before
 * the page opened are listed from trade history, and every fill is listed once. Saves a
 * screenshot to test-results/. Skips only when /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { VirtualClock } from '../../core/clock.js';
import { dec } from '../../core/decimal.js';
import { createSimulatedVenue } from '../../connector/venues/sim/index.js';
import { startLiveServer } from '../../server/live/live-server.js';
import { eventually, silent, testConfig } from '../server/live/support/live-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];
const RESULTS = 'test-results';

interface Shown {
  readonly symbol: string;
  readonly status: string;
  readonly candles: number;
  readonly depthLevels: number;
  readonly fillsListed: number;
  readonly markers: number;
}

function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { __dashboard: Shown }).__dashboard;
    return {
      symbol: d.symbol,
      status: d.status,
      candles: d.candles,
      depthLevels: d.depthLevels,
      fillsListed: d.fillsListed,
      markers: d.markers,
    };
  });
}

/** Waits until the page shows `equal` (and at least `atLeast`); fails naming what it shows. */
async function until(
  page: Page,
  what: string,
  equal: Partial<Shown>,
  atLeast: Partial<Shown> = {},
): Promise<Shown> {
  try {
    await page.waitForFunction(
      ([eq, min]) => {
        const d = (globalThis as unknown as { __dashboard?: Record<string, unknown> }).__dashboard;
        if (d === undefined) return false;
        return (
          Object.entries(eq).every(([k, v]) => d[k] === v) &&
          Object.entries(min).every(([k, v]) => (d[k] as number) >= (v as number))
        );
      },
      [equal, atLeast] as const,
      { timeout: 5000, polling: 20 },
    );
  } catch (e) {
    throw new Error(
      `timed out waiting for ${what}; page shows ${JSON.stringify(await shown(page))}`,
      {
        cause: e,
      },
    );
  }
  return shown(page);
}

async function startServer(t: TestContext) {
  const clock = new VirtualClock();
  const venue = createSimulatedVenue({ seed: 7, symbols: ['BTCUSDT', 'ETHUSDT'] }, clock);
  const exchange = venue.exchange('futures');
  const server = await startLiveServer({
    config: testConfig(),
    connect: async () => exchange,
    logger: silent,
  });
  t.after(async () => {
    await server.close();
    await venue.close();
  });
  await eventually(() => server.feed.status().upstream === 'live', 'the upstream to go live');
  return { server, exchange, clock };
}

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed; install it with: apt-get install -y chromium`;

describe('dashboard page, many symbols', { skip }, () => {
  it('switches symbols with the picker and shows each one its depth and its fills, once each', async (t) => {
    const { server, exchange, clock } = await startServer(t);
    const ethBuy = {
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.1'),
    } as const;
    const before = await exchange.placeOrder(ethBuy);
    const userDataDir = mkdtempSync(join(tmpdir(), 'symbols-chromium-'));
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
    });
    t.after(async () => {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console: ${m.text()}`);
    });

    await page.goto(server.url);
    const btc = await until(page, 'BTCUSDT with its book', {
      symbol: 'BTCUSDT',
      status: 'live',
      depthLevels: 20,
    });
    await page.waitForSelector('#symbol-picker:not([hidden])');
    const options = await page.locator('#symbol-picker option').allTextContents();

    await page.selectOption('#symbol-picker', 'ETHUSDT');
    const eth = await until(
      page,
      'ETHUSDT with its book and earlier fill',
      { symbol: 'ETHUSDT', status: 'live', depthLevels: 20, fillsListed: 1 },
      { candles: 1 },
    );
    const url = page.url();
    const mid = await page.textContent('#book-mid');
    const heading = await page.textContent('#symbol');

    await exchange.placeOrder(ethBuy);
    clock.advance(1000);
    const afterFill = await until(page, 'the new fill', { fillsListed: 2 }, { markers: 1 });
    const listed = await page.locator('#fills li').count();
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard-symbols.png') });

    await page.goBack();
    const back = await until(page, 'BTCUSDT again', {
      symbol: 'BTCUSDT',
      status: 'live',
      fillsListed: 0,
    });

    const direct = await browser.newPage();
    await direct.goto(`${server.url}/?symbol=ETHUSDT`);
    const opened = await until(direct, 'ETHUSDT opened by URL', {
      symbol: 'ETHUSDT',
      status: 'live',
      fillsListed: 2,
    });
    const directRows = await direct.locator('#fills li').count();

    assert.equal(btc.fillsListed, 0);
    assert.deepEqual(options, ['BTCUSDT', 'ETHUSDT']);
    assert.match(url, /\?symbol=ETHUSDT$/);
    assert.equal(heading, 'ETHUSDT');
    // ETH trades near 3500, BTC near 100000: the book switched with the symbol
    assert.ok(Number((mid ?? '').split(' / ')[0]?.replace(/,/g, '')) < 10_000, `book mid ${mid}`);
    assert.equal(eth.fillsListed, 1);
    assert.deepEqual([afterFill.fillsListed, listed], [2, 2]);
    assert.equal(back.symbol, 'BTCUSDT');
    assert.deepEqual([opened.fillsListed, directRows], [2, 2]);
    assert.ok(before.orderId !== '');
    assert.deepEqual(problems, []);
  });
});
