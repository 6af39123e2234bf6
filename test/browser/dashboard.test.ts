/**
 * Browser: the real dashboard page in headless Chromium against a real live server over the
 * simulated venue. Checks that candles render, an order's price line appears and goes away, and
 * a fill adds a marker and plays the trade sound; saves screenshots to test-results/. Skips only
 * when /usr/bin/chromium is missing (CI installs it with apt-get install -y chromium).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { dec } from '../../core/decimal.js';
import { startLive } from '../server/live/support/live-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const RESULTS = 'test-results';

/** The part of a DOM element the phone-width check reads (tsconfig has no DOM types). */
interface Element {
  readonly scrollWidth: number;
  readonly clientWidth: number;
}

interface Counters {
  readonly candles: number;
  readonly priceLines: number;
  readonly markers: number;
  readonly soundPlays: number;
  readonly status: string;
}

/**
 * Waits until the page's test counters equal `equal` and reach `atLeast`. The check is a function,
 * not a string: the page's CSP forbids eval, which string predicates need.
 */
async function until(
  page: Page,
  what: string,
  equal: Partial<Counters>,
  atLeast: Partial<Counters> = {},
): Promise<Counters> {
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
    const now = await counters(page);
    throw new Error(`timed out waiting for ${what}; page shows ${JSON.stringify(now)}`, {
      cause: e,
    });
  }
  return counters(page);
}

function counters(page: Page): Promise<Counters> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { __dashboard: Counters }).__dashboard;
    return {
      candles: d.candles,
      priceLines: d.priceLines,
      markers: d.markers,
      soundPlays: d.soundPlays,
      status: d.status,
    };
  });
}

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed; install it with: apt-get install -y chromium`;

describe('dashboard page', { skip }, () => {
  it('renders candles, shows and removes order lines, marks a fill and plays its sound', async (t) => {
    const { server, venue, exchange, clock } = await startLive(t);
    const userDataDir = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
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
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));

    await page.goto(server.url);
    const loaded = await until(page, 'the history', { status: 'live' }, { candles: 100 });
    for (let i = 0; i < 8; i++) clock.advance(15_000);
    await page.click('#mute');

    const price = await exchange.getLatestPrice('BTCUSDT');
    const far = await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: dec('0.01'),
      price: price.add(900).floor(),
    });
    const shown = await until(page, 'the order line', { priceLines: 1 });
    await exchange.cancelOrder('BTCUSDT', far.orderId);
    const removed = await until(page, 'the line to go', { priceLines: 0 });

    await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: dec('0.02'),
      price: price.sub(400).floor(),
    });
    await until(page, 'the bid line', { priceLines: 1 });
    venue.setSpotPrice('BTCUSDT', price.sub(700).floor());
    const filled = await until(page, 'the fill', { markers: 1, soundPlays: 1 });
    await page.waitForSelector('#fill-toast:not([hidden])');
    const toast = await page.textContent('#fill-toast');
    const fills = await page.locator('#fills li').count();

    // A resting ask, so the screenshots show an order line beside the fill marker
    await exchange.placeOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      quantity: dec('0.02'),
      price: price.add(300).floor(),
    });
    await until(page, 'the ask line', { priceLines: 1 });
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'dashboard.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(RESULTS, 'dashboard-phone.png'), fullPage: true });
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: Element } }).document
        .documentElement;
      return root.scrollWidth > root.clientWidth;
    });

    assert.ok(loaded.candles >= 100, `candles drawn: ${loaded.candles}`);
    assert.equal(shown.priceLines, 1);
    assert.equal(removed.priceLines, 0);
    assert.deepEqual([filled.markers, filled.soundPlays, filled.priceLines], [1, 1, 0]);
    assert.match(toast ?? '', /^Bought 0\.02 @ [\d,.]+$/);
    assert.equal(fills, 1);
    assert.equal(overflow, false, 'no horizontal scrolling at phone width');
    assert.deepEqual(problems, []);
  });
});
