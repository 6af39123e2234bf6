/**
 * @module test/connector/sim/sim-state
 * Durable state of the simulated venue: a venue saved, serialized to JSON and restored into a
 * new venue looks the same to a trader (orders, client ids, positions, balances, candles,
 * funding, ids, prices), keeps trading, and bad or foreign state files fail clearly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../../core/clock.js';
import {
  createSimulatedVenue,
  type SimulatedVenue,
  type SimVenueConfigInput,
} from '../../../../connector/venues/sim/index.js';
import { SimStateError, type SimVenueState } from '../../../../connector/venues/sim/sim-state.js';
import {
  loadSimVenueStateFile,
  saveSimVenueStateFile,
} from '../../../../connector/venues/sim/sim-state-file.js';
import { assertDec, limit, market, rejectsWith } from './sim-fixtures.js';

const QUIET: SimVenueConfigInput = {
  tickIntervalMs: 1000,
  price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 0, basisVolatilityBps: 0 },
  funding: { intervalMs: 300_000, historyLength: 5 },
};

/** Plain JSON view, so Decimals compare by value and frozen snapshots by content. */
const j = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** A venue with resting, filled, canceled and margin orders, 6 minutes and one funding in. */
async function tradedVenue(config: SimVenueConfigInput = QUIET) {
  const clock = new VirtualClock();
  const venue = createSimulatedVenue(config, clock);
  const futures = venue.exchange('futures');
  const spot = venue.exchange('spot');
  await futures.placeOrder(limit('BUY', '0.01', '99000', { clientOrderId: 'f-bid-1' }));
  await futures.placeOrder(limit('BUY', '0.02', '98000', { clientOrderId: 'f-bid-2' }));
  await futures.placeOrder(limit('SELL', '0.01', '101000', { clientOrderId: 'f-ask-1' }));
  await futures.placeOrder(market('BUY', '0.05', { clientOrderId: 'f-mkt' }));
  const gone = await futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: 'f-x' }));
  await futures.cancelOrder('BTCUSDT', gone.orderId);
  await spot.placeOrder(limit('BUY', '0.1', '99500', { clientOrderId: 's-bid' }));
  await spot.placeOrder(market('SELL', '0.2', { clientOrderId: 's-mkt' }));
  await spot.placeOrder(
    limit('SELL', '0.05', '120000', { clientOrderId: 'm-ask', useMargin: true }),
  );
  venue.setSpotPrice('BTCUSDT', '98900'); // fills f-bid-1 as maker
  venue.setSpotPrice('BTCUSDT', '100000');
  clock.advance(6 * 60_000); // candles close, one funding settlement
  return { clock, venue, futures, spot };
}

function roundTrip(venue: SimulatedVenue): unknown {
  return JSON.parse(JSON.stringify(venue.saveState()));
}

describe('simulated venue state', () => {
  it('restores orders, client ids, accounts, candles and funding identically', async () => {
    const a = await tradedVenue();
    const clock = new VirtualClock(a.clock.now());
    const b = createSimulatedVenue(QUIET, clock, { state: roundTrip(a.venue) });
    // Saving the restored venue yields the same state: nothing was lost or reordered
    assert.deepEqual(j(b.saveState()), j(a.venue.saveState()));
    const [fa, fb] = [a.futures, b.exchange('futures')];
    const [sa, sb] = [a.spot, b.exchange('spot')];

    const open = await fb.getOpenOrders('');
    assert.deepEqual(
      open.map((o) => o.clientOrderId),
      ['f-bid-2', 'f-ask-1'],
    );
    assert.deepEqual(j(open), j(await fa.getOpenOrders('')));
    assert.deepEqual(j(await sb.getOpenOrders('', true)), j(await sa.getOpenOrders('', true)));
    for (const id of ['f-bid-1', 'f-bid-2', 'f-mkt', 'f-x']) {
      const q = { symbol: 'BTCUSDT', clientOrderId: id };
      assert.deepEqual(j(await fb.getOrder(q)), j(await fa.getOrder(q)), id);
    }
    const filled = await fb.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'f-bid-1' });
    assert.equal(filled.status, 'FILLED');
    assert.equal(filled.trades.length, 1);
    await rejectsWith(
      fb.placeOrder(market('BUY', '0.01', { clientOrderId: 'f-mkt' })),
      'DUPLICATE_ORDER',
    );
    await rejectsWith(
      sb.placeOrder(market('BUY', '0.01', { clientOrderId: 's-mkt' })),
      'DUPLICATE_ORDER',
    );

    assert.deepEqual(j(await fb.getPositions()), j(await fa.getPositions()));
    const [pos] = await fb.getPositions('BTCUSDT');
    assertDec(pos?.size ?? assert.fail('no position'), '0.06');
    assert.deepEqual(j(await fb.getAccount()), j(await fa.getAccount()));
    assert.deepEqual(j(await sb.getAccount()), j(await sa.getAccount()));
    assert.deepEqual(j(b.spotBalances()), j(a.venue.spotBalances()));
    assert.deepEqual(j(b.spotBalances(true)), j(a.venue.spotBalances(true)));
    assert.ok(b.spotBalances(true).some((h) => h.asset === 'BTC' && h.borrowed.gt(0)));

    for (const interval of ['1m', '1h']) {
      const ka = await fa.getHistoricalKlines('BTCUSDT', interval, 1500);
      assert.deepEqual(j(await fb.getHistoricalKlines('BTCUSDT', interval, 1500)), j(ka));
      const ska = await sa.getHistoricalKlines('ETHUSDT', interval, 1500);
      assert.deepEqual(j(await sb.getHistoricalKlines('ETHUSDT', interval, 1500)), j(ska));
    }
    const fha = await fa.getHistoricalFundingRates('BTCUSDT', 100);
    assert.equal(fha.length, 6, 'five preloaded and one settled');
    assert.deepEqual(j(await fb.getHistoricalFundingRates('BTCUSDT', 100)), j(fha));
    assert.deepEqual(j(await fb.getFundingRate('BTCUSDT')), j(await fa.getFundingRate('BTCUSDT')));

    const known = ['f-bid-1', 'f-bid-2', 'f-ask-1', 'f-mkt', 'f-x'];
    const saved = await Promise.all(
      known.map((id) => fa.getOrder({ symbol: 'BTCUSDT', clientOrderId: id })),
    );
    const spotSaved = await sa.getOrder({
      symbol: 'BTCUSDT',
      clientOrderId: 'm-ask',
      useMargin: true,
    });
    const maxA = Math.max(...[...saved, spotSaved].map((o) => Number(o.orderId)));
    const next = await fb.placeOrder(limit('BUY', '0.01', '95000'));
    assert.ok(Number(next.orderId) > maxA, `${next.orderId} should exceed saved ids`);
    const again = await fa.placeOrder(limit('BUY', '0.01', '95000'));
    assert.equal(next.orderId, again.orderId, 'id sequence continues exactly');
    await a.venue.close();
    await b.close();
  });

  it('fills a restored resting order when the price moves through it', async () => {
    const a = await tradedVenue();
    const b = createSimulatedVenue(QUIET, new VirtualClock(a.clock.now()), {
      state: roundTrip(a.venue),
    });
    const fb = b.exchange('futures');
    b.setSpotPrice('BTCUSDT', '97900');
    const o = await fb.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'f-bid-2' });
    assert.equal(o.status, 'FILLED');
    assertDec(o.avgPrice, '98000');
    const [pos] = await fb.getPositions('BTCUSDT');
    assertDec(pos?.size ?? assert.fail('no position'), '0.08');
    await a.venue.close();
    await b.close();
  });

  it('continues the exact price paths of a volatile venue', async () => {
    const config: SimVenueConfigInput = { seed: 7, tickIntervalMs: 1000 };
    const a = await tradedVenue(config);
    const b = createSimulatedVenue(config, new VirtualClock(a.clock.now()), {
      state: roundTrip(a.venue),
    });
    for (let i = 0; i < 50; i++) {
      a.venue.step();
      b.step();
    }
    const fb = b.exchange('futures');
    for (const s of ['BTCUSDT', 'ETHUSDT']) {
      assert.deepEqual(j(await fb.getLatestPrice(s)), j(await a.futures.getLatestPrice(s)));
    }
    await a.venue.close();
    await b.close();
  });

  it('resumes candles at the current minute after downtime', async () => {
    const a = await tradedVenue();
    const later = a.clock.now() + 3_600_000;
    const b = createSimulatedVenue(QUIET, new VirtualClock(later), { state: roundTrip(a.venue) });
    b.step();
    const last = (await b.exchange('futures').getHistoricalKlines('BTCUSDT', '1m', 2)).at(-1);
    assert.equal(last?.openTimeMs, Math.floor(later / 60_000) * 60_000);
    await a.venue.close();
    await b.close();
  });

  it('refuses a state saved with other symbols or a bad key, naming the problem', async () => {
    const a = await tradedVenue();
    const state = roundTrip(a.venue) as SimVenueState;
    const clock = new VirtualClock(a.clock.now());
    assert.throws(
      () => createSimulatedVenue({ ...QUIET, symbols: ['BTCUSDT'] }, clock, { state }),
      (e: unknown) => e instanceof SimStateError && /symbols: the state was saved/.test(e.message),
    );
    const bad = {
      ...state,
      futures: { ...state.futures, ledger: { ...state.futures.ledger, wallet: 'lots' } },
    };
    assert.throws(
      () => createSimulatedVenue(QUIET, clock, { state: bad }),
      /futures\.ledger\.wallet: must be a decimal string/,
    );
    assert.throws(
      () => createSimulatedVenue(QUIET, clock, { state: { ...state, version: 2 } }),
      /version: unsupported state version/,
    );
    await a.venue.close();
  });

  it('writes the file atomically and loads it back; bad files fail clearly', async () => {
    const a = await tradedVenue();
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    const path = join(dir, 'nested', 'venue.json');
    assert.equal(loadSimVenueStateFile(path), undefined);
    const state = a.venue.saveState();
    saveSimVenueStateFile(path, state);
    saveSimVenueStateFile(path, state); // overwriting works too
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['venue.json']);
    assert.equal(existsSync(`${path}.tmp`), false);
    assert.deepEqual(loadSimVenueStateFile(path), j(state));

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"version": 1, "savedAtMs"');
    assert.throws(() => loadSimVenueStateFile(broken), /broken\.json: not valid JSON/);
    writeFileSync(broken, JSON.stringify({ ...state, orderSeq: 'x' }));
    assert.throws(
      () => loadSimVenueStateFile(broken),
      (e: unknown) => e instanceof SimStateError && /broken\.json: orderSeq:/.test(e.message),
    );
    await a.venue.close();
  });

  it('refuses a state path that is a directory, saying so instead of EISDIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    assert.throws(
      () => loadSimVenueStateFile(dir),
      (e: unknown) =>
        e instanceof SimStateError &&
        /is a directory; name a file inside it, e\.g\. .*sim-venue\.json/.test(e.message) &&
        !/EISDIR/.test(e.message),
    );
  });
});
