/**
 * @module test/connector/venues/sim/sim-perp-venues
 * Several simulated venues side by side for funding-rate arbitrage: an extra perpetual venue with
 * its own name, funding interval and settlements, price basis over the shared spot price, account
 * and state; fault switches on one leg only (reject, partial fill, latency) next to the
 * venue-wide ones; and the default simulator unchanged (only "sim" and "sim-spot").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createSimulatedVenue } from '../../../../connector/venues/sim/index.js';
import type { FundingRate } from '../../../../core/exchange.types.js';
import { assertDec, collector, d, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

const H = 3_600_000;
// One symbol and one-second steps keep hours of virtual time quick
const FAST = { symbols: ['BTCUSDT'], tickIntervalMs: 1000 };
const PERP2 = {
  ...FAST,
  perpVenues: {
    'sim-perp2': {
      funding: { intervalMs: H },
      price: { basisMeanBps: 20, basisVolatilityBps: 0 },
      fees: { makerBps: 1, takerBps: 4 },
    },
  },
};

describe('simulated venue: extra perpetual venues', () => {
  it('serves only sim and sim-spot by default, and saves no extra venue', () => {
    const { venue } = quietVenue();
    assert.deepEqual(venue.exchangeNames(), ['sim', 'sim-spot']);
    assert.equal('perpVenues' in venue.saveState(), false);
    assert.throws(() => venue.exchangeNamed('sim-perp2'), /serves sim, sim-spot, not sim-perp2/);
  });

  it('serves a second perp venue with its own name, 1 h funding and a basis over the shared spot', async () => {
    const { venue, clock } = quietVenue(PERP2);
    const perp2 = venue.exchangeNamed('sim-perp2');
    assert.deepEqual(venue.exchangeNames(), ['sim', 'sim-spot', 'sim-perp2']);
    assert.equal(perp2.name, 'sim-perp2');
    assert.equal((await perp2.getType()).kind, 'futures');

    assertDec(await venue.exchange('spot').getLatestPrice('BTCUSDT'), '100000');
    assertDec(await venue.exchange('futures').getLatestPrice('BTCUSDT'), '100000');
    assertDec(await perp2.getLatestPrice('BTCUSDT'), '100200');
    venue.setSpotPrice('BTCUSDT', '90000');
    assertDec(await perp2.getLatestPrice('BTCUSDT'), '90180');

    const rate = await perp2.getFundingRate('BTCUSDT');
    assert.equal(rate.exchange, 'sim-perp2');
    assert.equal(rate.nextFundingTimeMs, clock.now() + H);
    const history = await perp2.getHistoricalFundingRates('BTCUSDT', 3);
    assert.deepEqual(
      history.map((h) => h.timeMs),
      [clock.now() - 2 * H, clock.now() - H, clock.now()],
    );
    const sim = await venue.exchange('futures').getFundingRate('BTCUSDT');
    assert.equal(sim.nextFundingTimeMs, clock.now() + 8 * H, 'sim keeps its 8 h schedule');
  });

  it('pays funding on its own account at its own settlements', async () => {
    const { venue, clock } = quietVenue(PERP2);
    const perp2 = venue.exchangeNamed('sim-perp2');
    const sim = venue.exchange('futures');
    const short = await perp2.placeOrder(market('SELL', '1', { clientOrderId: 'osa-perp2-1' }));
    assertDec(short.executedQty, '1');
    const wallet = (await perp2.getAccount()).totalWalletBalance;
    const simWallet = (await sim.getAccount()).totalWalletBalance;
    const funding = collector<FundingRate>();
    perp2.subscribeFundingRate('BTCUSDT', funding.sink);

    clock.advance(H);

    // The premium is 20 bps all period: the short receives 1 x 100200 x 0.002
    assertDec((await perp2.getAccount()).totalWalletBalance, wallet.add('200.4'));
    assertDec((await sim.getAccount()).totalWalletBalance, simWallet);
    const settled = funding.values.find((f) => f.nextFundingTimeMs === clock.now() + H);
    assertDec(settled?.rate ?? d(-1), '0.002');
    assert.deepEqual(await sim.getPositions('BTCUSDT'), [], 'sim never saw the order');
    await rejectsWith(
      sim.getOrder({ symbol: 'BTCUSDT', clientOrderId: 'osa-perp2-1' }),
      'ORDER_NOT_FOUND',
    );
    assertDec((await perp2.getPositions('BTCUSDT'))[0]?.size ?? d(0), '-1');
  });

  it('saves and restores the extra venue with its orders, positions and funding', async () => {
    const { venue, clock } = quietVenue(PERP2);
    const perp2 = venue.exchangeNamed('sim-perp2');
    await perp2.placeOrder(market('BUY', '0.5'));
    await perp2.placeOrder(limit('SELL', '0.1', '120000', { clientOrderId: 'resting-1' }));
    clock.advance(H + 60_000);
    const saved = JSON.parse(JSON.stringify(venue.saveState())) as unknown;

    const again = createSimulatedVenue(
      {
        ...PERP2,
        price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 0, basisVolatilityBps: 0 },
      },
      clock,
      { state: saved },
    );
    const restored = again.exchangeNamed('sim-perp2');
    const j = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    assert.deepEqual(j(await restored.getPositions()), j(await perp2.getPositions()));
    assert.deepEqual(
      j(await restored.getOpenOrders('BTCUSDT')),
      j(await perp2.getOpenOrders('BTCUSDT')),
    );
    assert.deepEqual(j(await restored.getAccount()), j(await perp2.getAccount()));
    assert.deepEqual(
      j(await restored.getHistoricalFundingRates('BTCUSDT', 5)),
      j(await perp2.getHistoricalFundingRates('BTCUSDT', 5)),
    );
    await rejectsWith(
      restored.placeOrder(limit('SELL', '0.1', '120000', { clientOrderId: 'resting-1' })),
      'DUPLICATE_ORDER',
    );
    await again.close();
  });

  it('refuses a state holding an extra venue the config no longer lists', async () => {
    const { venue } = quietVenue(PERP2);
    await venue.exchangeNamed('sim-perp2').placeOrder(market('BUY', '0.5'));
    const saved = JSON.parse(JSON.stringify(venue.saveState())) as unknown;
    assert.throws(
      () => createSimulatedVenue(FAST, venue.clock, { state: saved }),
      /perpVenues.sim-perp2: saved with orders and positions but not configured/,
    );
  });

  it('names a bad extra venue config key', () => {
    assert.throws(
      () => createSimulatedVenue({ perpVenues: { sim: {} } }),
      /perpVenues.sim: is a built-in venue name/,
    );
    assert.throws(
      () =>
        createSimulatedVenue({ perpVenues: { 'sim-perp2': { funding: { intervalMs: 1000 } } } }),
      /perpVenues.sim-perp2.funding.intervalMs/,
    );
  });
});

describe('simulated venue: fault switches on one leg', () => {
  it('rejects the next placement on the spot leg only', async () => {
    const { venue, spot, futures } = quietVenue();
    venue.faultsOf('sim-spot').rejectNextPlacements(1);
    await rejectsWith(spot.placeOrder(market('BUY', '0.01')), 'ORDER_REJECTED');
    assert.equal((await futures.placeOrder(market('SELL', '0.01'))).status, 'FILLED');
    assert.equal((await spot.placeOrder(market('BUY', '0.01'))).status, 'FILLED');
  });

  it('fills only part of a market order on the hedge leg and expires the rest', async () => {
    const { venue } = quietVenue(PERP2);
    const perp2 = venue.exchangeNamed('sim-perp2');
    venue.faultsOf('sim-perp2').partialFillNextPlacements(1, '0.4');
    const partial = await perp2.placeOrder(market('SELL', '0.5'));
    assert.deepEqual([partial.status, partial.executedQty.toFixed()], ['EXPIRED', '0.2']);
    const full = await perp2.placeOrder(market('SELL', '0.5'));
    assert.deepEqual([full.status, full.executedQty.toFixed()], ['FILLED', '0.5']);
  });

  it('rests the unfilled part of a partially filled limit order', async () => {
    const { venue, futures } = quietVenue();
    venue.faultsOf('sim').partialFillNextPlacements(1, '0.5');
    const order = await futures.placeOrder(limit('BUY', '0.2', '100100'));
    assert.deepEqual([order.status, order.executedQty.toFixed()], ['PARTIALLY_FILLED', '0.1']);
    assert.equal((await futures.getOpenOrders('BTCUSDT')).length, 1);
  });

  it('slows one leg only, and the venue-wide switches still cover every leg', async () => {
    const { venue, clock, spot, futures } = quietVenue(PERP2);
    const perp2 = venue.exchangeNamed('sim-perp2');
    venue.faultsOf('sim-perp2').latencyMs = 100;
    let done = false;
    const slow = perp2.getLatestPrice('BTCUSDT').then(() => (done = true));
    assertDec(await spot.getLatestPrice('BTCUSDT'), '100000');
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    clock.advance(100);
    await slow;

    venue.faults.setUnreachable(true);
    assert.equal(perp2.isReachable(), false);
    await rejectsWith(perp2.getLatestPrice('BTCUSDT'), 'EXCHANGE_UNAVAILABLE');
    await rejectsWith(futures.getLatestPrice('BTCUSDT'), 'EXCHANGE_UNAVAILABLE');
    venue.faults.setUnreachable(false);
    venue.faultsOf('sim-perp2').setUnreachable(true);
    assert.deepEqual([perp2.isReachable(), futures.isReachable()], [false, true]);
  });

  it('refuses a partial fill fraction outside 0..1', () => {
    const { venue } = quietVenue();
    assert.throws(() => venue.faultsOf('sim').partialFillNextPlacements(1, 2), RangeError);
  });
});

describe('simulated venue: spot margin interest and funding', () => {
  it('charges interest on the hour on a margin loan, repaid first on the buy back', async () => {
    const { venue, spot, clock } = quietVenue(FAST);
    await spot.placeOrder(market('SELL', '0.1', { useMargin: true }));
    const btc = () => venue.spotBalances(true).find((h) => h.asset === 'BTC');
    assertDec(btc()?.interest ?? d(-1), '0');

    clock.advance(H);
    // 0.1 x 0.00005 a day / 24, rounded up to 8 places
    assertDec(btc()?.interest ?? d(-1), '0.00000021');
    clock.advance(2 * H);
    assertDec(btc()?.interest ?? d(-1), '0.00000063');

    await spot.placeOrder(market('BUY', '0.10001', { useMargin: true }));
    assert.deepEqual(
      [btc()?.borrowed.toFixed(), btc()?.interest.toFixed(), btc()?.free.toFixed()],
      ['0', '0', '0.00000937'],
    );
  });

  it('charges the hours a saved venue was down when it starts again', async () => {
    const { venue, spot, clock } = quietVenue(FAST);
    await spot.placeOrder(market('SELL', '0.1', { useMargin: true }));
    const saved = JSON.parse(JSON.stringify(venue.saveState())) as unknown;
    await venue.close();
    clock.advance(3 * H);
    const again = createSimulatedVenue(
      {
        ...FAST,
        price: { volatilityPerYear: 0, jumpProbability: 0, basisMeanBps: 0, basisVolatilityBps: 0 },
      },
      clock,
      { state: saved },
    );
    clock.advance(0);
    const btc = again.spotBalances(true).find((h) => h.asset === 'BTC');
    assertDec(btc?.interest ?? d(-1), '0.00000063');
    await again.close();
  });

  it('streams one zero funding update for a spot symbol right after subscribing', async () => {
    const { spot, clock } = quietVenue(FAST);
    const funding = collector<FundingRate>();
    spot.subscribeFundingRate('BTCUSDT', funding.sink);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      funding.values.map((f) => [
        f.exchange,
        f.symbol,
        f.rate.toFixed(),
        f.nextFundingTimeMs,
        f.timeMs,
      ]),
      [['sim-spot', 'BTCUSDT', '0', 0, clock.now()]],
    );
    clock.advance(8 * H);
    assert.equal(funding.values.length, 1, 'spot never settles funding');
  });
});
