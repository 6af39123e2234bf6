import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Account, FundingRate, Position } from '../../../../core/exchange.types.js';
import { Decimal } from '../../../../core/decimal.js';
import { assertDec, collector, d, limit, market, quietVenue, rejectsWith } from './sim-fixtures.js';

// A market buy of 1 BTC on the quiet perp fills 0.5 @ 100000.1 and 0.5 @ 100000.2:
// entry 100000.15, taker fee 5 bps of 100000.15 = 50.000075.
const ENTRY = '100000.15';
const BUY_FEE = '50.000075';

describe('SimulatedVenue futures account', () => {
  it('charges taker and maker fees in USDT from the wallet', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(market('BUY', '1'));
    assertDec(
      order.trades.reduce((sum, t) => sum.add(t.fee), d(0)),
      BUY_FEE,
    );
    assert.ok(order.trades.every((t) => t.feeAsset === 'USDT'));
    const account = await futures.getAccount();
    assertDec(account.totalWalletBalance, d(100000).sub(BUY_FEE));
  });

  it('tracks a one-way position with weighted entry, mark, unrealized PnL and margins', async () => {
    const { futures, venue } = quietVenue();
    await futures.placeOrder(market('BUY', '1'));
    const [position] = await futures.getPositions('BTCUSDT');
    assert.ok(position !== undefined);
    assertDec(position.size, '1');
    assertDec(position.entryPrice, ENTRY);
    assertDec(position.markPrice, '100000');
    assertDec(position.unrealizedPnl, '-0.15');
    assert.equal(position.leverage, 10);
    assert.equal(position.marginType, 'cross');
    const account = await futures.getAccount();
    const wallet = d(100000).sub(BUY_FEE);
    assertDec(account.totalMarginBalance, wallet.sub('0.15'));
    assertDec(
      account.availableBalance,
      wallet.sub('0.15').sub('10000'),
      'minus 10x initial margin',
    );
    assertDec(account.totalMaintenanceMargin, '500');
    venue.setSpotPrice('BTCUSDT', '101000');
    const [moved] = await futures.getPositions('BTCUSDT');
    assertDec(moved?.markPrice ?? d(0), '101000');
    assertDec(moved?.unrealizedPnl ?? d(0), '999.85');
  });

  it('realizes PnL on the closing fills and removes the closed position', async () => {
    const { futures, venue } = quietVenue();
    await futures.placeOrder(market('BUY', '1'));
    venue.setSpotPrice('BTCUSDT', '101000');
    const close = await futures.placeOrder(market('SELL', '1'));
    for (const t of close.trades) {
      assertDec(t.realizedPnl, t.quantity.mul(t.price.sub(ENTRY)), `PnL of fill at ${t.price}`);
    }
    const realized = close.trades.reduce((s, t) => s.add(t.realizedPnl), d(0));
    const fees = close.trades.reduce((s, t) => s.add(t.fee), d(0));
    assertDec(realized, '999.6985');
    const account = await futures.getAccount();
    assertDec(account.totalWalletBalance, d(100000).sub(BUY_FEE).add(realized).sub(fees));
    assert.deepEqual(await futures.getPositions(), []);
  });

  it('flips a position through zero with the new side entered at the fill price', async () => {
    const { futures } = quietVenue();
    await futures.placeOrder(market('BUY', '0.2'));
    await futures.placeOrder(market('SELL', '0.5'));
    const [position] = await futures.getPositions('BTCUSDT');
    assertDec(position?.size ?? d(0), '-0.3');
    assertDec(position?.entryPrice ?? d(0), '99999.9');
  });

  it('reserves initial margin for resting orders and returns it on cancel', async () => {
    const { futures } = quietVenue();
    const order = await futures.placeOrder(limit('BUY', '0.1', '90000'));
    assertDec((await futures.getAccount()).availableBalance, '99100');
    assertDec(await futures.getBalance('USDT'), '99100');
    await futures.cancelOrder('BTCUSDT', order.orderId);
    assertDec((await futures.getAccount()).availableBalance, '100000');
  });

  it('rejects an order whose margin and fee exceed the available balance', async () => {
    const { futures } = quietVenue({ futures: { walletBalance: '1000' } });
    const e = await rejectsWith(futures.placeOrder(market('BUY', '1')), 'INSUFFICIENT_FUNDS');
    assert.match(e.message, /available balance 1000\.00 USDT/);
    assert.deepEqual(await futures.getOpenOrders(''), []);
    assertDec((await futures.getAccount()).totalWalletBalance, '1000');
  });

  it('rejects reduce-only orders that would open or grow a position', async () => {
    const { futures } = quietVenue();
    await rejectsWith(
      futures.placeOrder(market('SELL', '0.1', { reduceOnly: true })),
      'REDUCE_ONLY_REJECTED',
      'reduce_only',
    );
    await futures.placeOrder(market('BUY', '0.5'));
    await rejectsWith(
      futures.placeOrder(market('BUY', '0.1', { reduceOnly: true })),
      'REDUCE_ONLY_REJECTED',
      'reduce_only',
    );
  });

  it('clips a reduce-only order to the position and expires it once the position is gone', async () => {
    const { futures } = quietVenue();
    await futures.placeOrder(market('BUY', '0.5'));
    const reduce = await futures.placeOrder(limit('SELL', '0.8', '100010', { reduceOnly: true }));
    assertDec(reduce.quantity, '0.5');
    assert.equal(reduce.reduceOnly, true);
    await futures.placeOrder(market('SELL', '0.5'));
    const after = await futures.getOrder({ symbol: 'BTCUSDT', orderId: reduce.orderId });
    assert.equal(after.status, 'EXPIRED');
  });

  it('reports a cross liquidation price and liquidates below maintenance margin', async () => {
    const { futures, venue } = quietVenue({ futures: { walletBalance: '2000', leverage: 100 } });
    await futures.placeOrder(market('BUY', '1'));
    const wallet = d(2000).sub(BUY_FEE);
    const [position] = await futures.getPositions('BTCUSDT');
    // long: (size x entry - wallet) / (size x (1 - mmr)), mmr 0.005
    const expected = d(ENTRY).sub(wallet).div('0.995').toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
    assertDec(position?.liquidationPrice ?? d(0), expected);
    assertDec(expected, '98542.9');
    const updates = collector<Account>();
    futures.subscribeAccount(updates.sink);
    venue.setSpotPrice('BTCUSDT', '98600');
    assert.equal((await futures.getPositions()).length, 1, 'above the liquidation price');
    venue.setSpotPrice('BTCUSDT', '98500');
    assert.deepEqual(await futures.getPositions(), []);
    const account = await futures.getAccount();
    // realized -1500.15, liquidation taker fee 98500 x 5 bps = 49.25
    assertDec(account.totalWalletBalance, wallet.sub('1500.15').sub('49.25'));
    assert.equal(updates.values.length, 1);
    const orders = await futures.getOpenOrders('');
    assert.deepEqual(orders, []);
  });

  it('pays funding at the funding time and notifies funding, account and position streams', async () => {
    const { futures, clock } = quietVenue({
      price: { basisMeanBps: 2 },
      funding: { intervalMs: 60_000 },
    });
    const start = clock.now();
    assertDec(await futures.getLatestPrice('BTCUSDT'), '100020');
    await futures.placeOrder(market('BUY', '1'));
    const walletBefore = (await futures.getAccount()).totalWalletBalance;
    const funding = collector<FundingRate>();
    const accounts = collector<Account>();
    const positions = collector<Position>();
    futures.subscribeFundingRate('BTCUSDT', funding.sink);
    futures.subscribeAccount(accounts.sink);
    futures.subscribePositions('BTCUSDT', positions.sink);
    const current = await futures.getFundingRate('BTCUSDT');
    assert.equal(current.nextFundingTimeMs, start + 60_000);
    clock.advance(60_000);
    const account = await futures.getAccount();
    // long 1 pays size x mark x rate = 1 x 100020 x 0.0002
    assertDec(account.totalWalletBalance, walletBefore.sub('20.004'));
    const settled = funding.values.find((f) => f.nextFundingTimeMs === start + 120_000);
    assert.ok(settled !== undefined, 'an update after settlement');
    assertDec(settled.rate, '0.0002');
    assert.equal(accounts.values.length, 1);
    assertDec(accounts.values[0]?.totalWalletBalance ?? d(0), walletBefore.sub('20.004'));
    assert.equal(positions.values.length, 1);
    const history = await futures.getHistoricalFundingRates('BTCUSDT', 2);
    assert.equal(history.length, 2);
    assert.equal(history[1]?.timeMs, start + 60_000);
    assertDec(history[1]?.rate ?? d(1), '0.0002');
    assert.ok((history[0]?.timeMs ?? Infinity) < (history[1]?.timeMs ?? 0), 'oldest first');
  });
});
