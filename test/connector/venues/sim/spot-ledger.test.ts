import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDec, d, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

// Quiet BTCUSDT spot: mid 100000, tick 0.01, synthetic ask 100000.01 / bid 99999.99, fees 10 bps.
// Cash account starts with 100000 USDT, 1 BTC, 10 ETH, 100 SOL; margin account with 10000 USDT.

function holding(
  balances: ReturnType<ReturnType<typeof quietVenue>['venue']['spotBalances']>,
  asset: string,
) {
  const h = balances.find((b) => b.asset === asset);
  assert.ok(h !== undefined, `no ${asset} balance`);
  return h;
}

describe('SimulatedVenue spot accounts', () => {
  it('reports kind, account value and free balances of the cash account', async () => {
    const { spot } = quietVenue();
    assert.deepEqual(await spot.getType(), { kind: 'spot', isUnifiedMargin: false });
    assert.equal(spot.name, 'sim-spot');
    const account = await spot.getAccount();
    // 100000 USDT + 1 BTC x 100000 + 10 ETH x 3500 + 100 SOL x 200
    assertDec(account.totalWalletBalance, '255000');
    assertDec(account.totalMarginBalance, '10000');
    assertDec(account.availableBalance, '100000');
    assert.deepEqual(account.positions, []);
    assertDec(await spot.getBalance('BTC'), '1');
    // An asset the venue does not list is refused, not reported as a balance of 0
    await assert.rejects(spot.getBalance('DOGE'), { reason: 'INVALID_ARGUMENT', field: 'asset' });
  });

  it('locks quote for a resting buy, fee included, and unlocks it on cancel', async () => {
    const { spot, venue } = quietVenue();
    const order = await spot.placeOrder(limit('BUY', '0.1', '90000'));
    assertDec(await spot.getBalance('USDT'), '90991');
    assertDec(holding(venue.spotBalances(), 'USDT').locked, '9009');
    await spot.cancelOrder('BTCUSDT', order.orderId);
    assertDec(await spot.getBalance('USDT'), '100000');
    assertDec(holding(venue.spotBalances(), 'USDT').locked, '0');
  });

  it('settles a market buy: quote paid plus taker fee, base received', async () => {
    const { spot } = quietVenue();
    const order = await spot.placeOrder(market('BUY', '0.1'));
    assertDec(order.trades[0]?.fee ?? d(0), '10.000001');
    assertDec(await spot.getBalance('USDT'), '89989.998999');
    assertDec(await spot.getBalance('BTC'), '1.1');
  });

  it('refunds the unused part of the lock when a resting buy fills as maker', async () => {
    const { spot, venue } = quietVenue();
    const order = await spot.placeOrder(limit('BUY', '0.1', '100000'));
    assert.equal(order.status, 'NEW');
    venue.step();
    const filled = await spot.getOrder({ symbol: 'BTCUSDT', orderId: order.orderId });
    assert.equal(filled.status, 'FILLED');
    assert.equal(filled.trades[0]?.isMaker, true);
    assertDec(await spot.getBalance('USDT'), '89990');
    assertDec(holding(venue.spotBalances(), 'USDT').locked, '0');
    assertDec(await spot.getBalance('BTC'), '1.1');
  });

  it('locks base for a sell and rejects a sell without the base asset', async () => {
    const { spot, venue } = quietVenue();
    await spot.placeOrder(limit('SELL', '0.4', '110000'));
    assertDec(holding(venue.spotBalances(), 'BTC').locked, '0.4');
    assertDec(await spot.getBalance('BTC'), '0.6');
    const e = await rejectsWith(spot.placeOrder(market('SELL', '2')), 'INSUFFICIENT_FUNDS');
    assert.match(e.message, /free BTC 0\.6/);
    await rejectsWith(
      spot.placeOrder({ ...market('SELL', '1'), symbol: 'BNBUSDT' }),
      'INSUFFICIENT_FUNDS',
    );
    await rejectsWith(spot.placeOrder(limit('BUY', '2', '100000')), 'INSUFFICIENT_FUNDS');
  });

  it('borrows on the margin account to sell short and repays when buying back', async () => {
    const { spot, venue } = quietVenue();
    const short = await spot.placeOrder(market('SELL', '0.1', { useMargin: true }));
    assert.equal(short.status, 'FILLED');
    let margin = venue.spotBalances(true);
    assertDec(holding(margin, 'BTC').borrowed, '0.1');
    assertDec(holding(margin, 'BTC').free, '0');
    // 10000 + 0.1 x 99999.99 - 10 bps fee
    assertDec(holding(margin, 'USDT').free, '19989.999001');
    assertDec(await spot.getBalance('BTC'), '1', 'cash account untouched');
    await spot.placeOrder(market('BUY', '0.1', { useMargin: true }));
    margin = venue.spotBalances(true);
    assertDec(holding(margin, 'BTC').borrowed, '0');
    assertDec(holding(margin, 'BTC').free, '0');
    assertDec(holding(margin, 'USDT').free, '9979.998');
  });

  it('refuses a margin borrow beyond the max leverage', async () => {
    const { spot, venue } = quietVenue();
    // equity 10000 at 3x allows 20000 USDT of liabilities; 0.3 BTC is 30000
    const e = await rejectsWith(
      spot.placeOrder(market('SELL', '0.3', { useMargin: true })),
      'INSUFFICIENT_FUNDS',
    );
    assert.match(e.message, /3x/);
    assertDec(holding(venue.spotBalances(true), 'BTC').borrowed, '0');
  });

  it('keeps margin orders apart from cash orders', async () => {
    const { spot } = quietVenue();
    const cash = await spot.placeOrder(limit('BUY', '0.01', '90000'));
    const onMargin = await spot.placeOrder(limit('BUY', '0.01', '90000', { useMargin: true }));
    assert.deepEqual(
      (await spot.getOpenOrders('BTCUSDT')).map((o) => o.orderId),
      [cash.orderId],
    );
    assert.deepEqual(
      (await spot.getOpenOrders('BTCUSDT', true)).map((o) => o.orderId),
      [onMargin.orderId],
    );
    await rejectsWith(spot.cancelOrder('BTCUSDT', onMargin.orderId), 'ORDER_NOT_FOUND');
    await spot.cancelOrder('BTCUSDT', onMargin.orderId, true);
  });

  it('rejects reduce-only spot orders naming the field', async () => {
    const { spot } = quietVenue();
    await rejectsWith(
      spot.placeOrder(market('SELL', '0.1', { reduceOnly: true })),
      'INVALID_ARGUMENT',
      'reduce_only',
    );
  });

  it('answers funding with zero rates and no history, and no positions or open interest', async () => {
    const { spot } = quietVenue();
    const rate = await spot.getFundingRate('BTCUSDT');
    assertDec(rate.rate, '0');
    assertDec(rate.predictedRate, '0');
    assert.equal(rate.exchange, 'sim-spot');
    assert.equal((await spot.getFundingRates()).length, 4);
    assert.deepEqual(await spot.getHistoricalFundingRates('BTCUSDT', 10), []);
    assert.deepEqual(await spot.getPositions(), []);
    assertDec(await spot.getOpenInterest('BTCUSDT'), '0');
  });
});
