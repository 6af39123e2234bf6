import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcCode } from '../../../../core/errors.js';
import type { PriceChange } from '../../../../core/exchange.types.js';
import { VirtualClock } from '../../../../core/clock.js';
import { createSimulatedVenue } from '../../../../connector/venues/sim/index.js';
import { assertDec, collector, d, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

const EIGHT_HOURS = 8 * 3_600_000;

describe('SimExchange identity and metadata', () => {
  it('names the perp exchange "sim" and reports a non-unified futures venue', async () => {
    const { futures } = quietVenue();
    assert.equal(futures.name, 'sim');
    assert.deepEqual(await futures.getType(), { kind: 'futures', isUnifiedMargin: false });
    assert.equal(futures.isReachable(), true);
  });

  it('lists the same symbols on both markets with Binance-like filters', async () => {
    const { futures, spot } = quietVenue();
    assert.deepEqual(await futures.getSymbols(), ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT']);
    assert.deepEqual(await spot.getSymbols(), await futures.getSymbols());
    const perp = await futures.getSymbolInfo('BTCUSDT');
    assert.deepEqual(
      [perp.baseAsset, perp.quoteAsset, perp.pricePrecision, perp.quantityPrecision],
      ['BTC', 'USDT', 1, 3],
    );
    assertDec(perp.tickSize, '0.1');
    assertDec(perp.stepSize, '0.001');
    assertDec(perp.minQuantity, '0.001');
    assertDec(perp.minNotional, '5');
    const spotInfo = await spot.getSymbolInfo('BTCUSDT');
    assertDec(spotInfo.tickSize, '0.01');
    assertDec(spotInfo.minNotional, '10');
  });

  it('refreshes exchange info for a known symbol and rejects an unknown one', async () => {
    const { futures } = quietVenue();
    await futures.fetchExchangeInfo('BTCUSDT');
    await futures.fetchExchangeInfo();
    const e = await rejectsWith(futures.fetchExchangeInfo('XRPUSDT'), 'UNKNOWN_SYMBOL', 'symbol');
    assert.match(e.message, /BTCUSDT, ETHUSDT, SOLUSDT, BNBUSDT/);
    await rejectsWith(futures.getLatestPrice('XRPUSDT'), 'UNKNOWN_SYMBOL', 'symbol');
    await rejectsWith(futures.getSymbolInfo(''), 'INVALID_ARGUMENT', 'symbol');
    await rejectsWith(futures.getBalance(''), 'INVALID_ARGUMENT', 'asset');
  });
});

describe('SimExchange market data', () => {
  it('reports tickers with the 24h change against the price a day ago', async () => {
    const clock = new VirtualClock();
    const futures = createSimulatedVenue({}, clock).exchange('futures');
    clock.advance(10_000);
    const tickers = await futures.getTickers();
    assert.deepEqual(
      tickers.map((t) => t.symbol),
      ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'],
    );
    const btc = tickers[0];
    assert.ok(btc !== undefined);
    assertDec(btc.lastPrice, await futures.getLatestPrice('BTCUSDT'));
    const history = await futures.getHistoricalKlines('BTCUSDT', '1m', 1441);
    const open = history[0]?.open ?? d(0);
    assertDec(btc.priceChange, btc.lastPrice.sub(open));
    assertDec(btc.priceChangePercent, btc.priceChange.div(open).toDecimalPlaces(8));
    assert.ok(btc.volume.gt(1000), `24h volume ${btc.volume.toFixed()}`);
    assert.ok(btc.quoteVolume.gt(btc.volume.mul(50_000)));
    assert.ok(btc.openInterest.gt(70_000));
  });

  it('reports deterministic open interest that includes our position', async () => {
    const a = quietVenue();
    const b = quietVenue();
    const oi = await a.futures.getOpenInterest('ETHUSDT');
    assertDec(oi, await b.futures.getOpenInterest('ETHUSDT'));
    await a.futures.placeOrder({ ...market('BUY', '1'), symbol: 'ETHUSDT' });
    assertDec(await a.futures.getOpenInterest('ETHUSDT'), oi.add(1));
  });

  it('reports funding aligned to 8h with 90 preloaded settlements, oldest first', async () => {
    const { futures, clock } = quietVenue();
    const rate = await futures.getFundingRate('BTCUSDT');
    assert.equal(rate.nextFundingTimeMs % EIGHT_HOURS, 0);
    assert.ok(rate.nextFundingTimeMs > clock.now());
    assert.equal(rate.exchange, 'sim');
    const history = await futures.getHistoricalFundingRates('BTCUSDT', 1000);
    assert.equal(history.length, 90);
    history.forEach((h, i) => {
      assert.equal(h.timeMs, rate.nextFundingTimeMs - (90 - i) * EIGHT_HOURS);
      assert.ok(h.rate.abs().lte('0.003'));
    });
    assert.equal((await futures.getFundingRates()).length, 4);
  });

  it('streams prices of the subscribed symbols on every step', () => {
    const { futures, clock, venue } = quietVenue();
    const got = collector<PriceChange>();
    futures.subscribePrice(['ETHUSDT'], got.sink);
    clock.advance(1_000);
    venue.setSpotPrice('ETHUSDT', '3600');
    assert.equal(got.values.length, 5);
    assert.ok(got.values.every((p) => p.symbol === 'ETHUSDT' && p.exchange === 'sim'));
    assertDec(got.values[4]?.price ?? d(0), '3600');
    assert.equal(got.values[0]?.timeMs, clock.now() - 750);
  });

  it('ends a subscription for an unknown symbol with UNKNOWN_SYMBOL', async () => {
    const { futures } = quietVenue();
    const got = collector<PriceChange>();
    futures.subscribePrice(['BTCUSDT', 'NOPE'], got.sink);
    assert.equal(got.errors.length, 0, 'reported asynchronously, like a remote stream');
    await Promise.resolve();
    assert.equal(got.errors[0]?.reason, 'UNKNOWN_SYMBOL');
  });
});

describe('SimExchange batches', () => {
  it('places a batch with per-item errors carrying index, client id, code and reason', async () => {
    const { futures } = quietVenue();
    const result = await futures.batchPlaceOrders([
      limit('BUY', '0.01', '90000', { clientOrderId: 'b-1' }),
      limit('BUY', '0.01', '90000.05', { clientOrderId: 'b-2' }),
      limit('SELL', '0.01', '110000', { clientOrderId: 'b-3' }),
    ]);
    assert.equal(result.allSuccess, false);
    assert.deepEqual(
      result.orders.map((o) => o.clientOrderId),
      ['b-1', 'b-3'],
    );
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.deepEqual(
      [error?.index, error?.clientOrderId, error?.code, error?.reason],
      [1, 'b-2', GrpcCode.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    );
    assert.match(error?.message ?? '', /^price: /);
  });

  it('cancels a batch and reports the items that failed', async () => {
    const { futures } = quietVenue();
    const a = await futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: 'x-1' }));
    const b = await futures.placeOrder(limit('BUY', '0.01', '90000', { clientOrderId: 'x-2' }));
    await futures.cancelOrder('BTCUSDT', b.orderId);
    const errors = await futures.batchCancelOrders('BTCUSDT', [a.orderId, '999', b.orderId]);
    assert.deepEqual(
      errors.map((e) => [e.index, e.clientOrderId, e.reason, e.code]),
      [
        [1, '', 'ORDER_NOT_FOUND', GrpcCode.NOT_FOUND],
        [2, 'x-2', 'ORDER_NOT_CANCELABLE', GrpcCode.FAILED_PRECONDITION],
      ],
    );
    assert.equal(
      (await futures.getOrder({ symbol: 'BTCUSDT', orderId: a.orderId })).status,
      'CANCELED',
    );
  });
});
