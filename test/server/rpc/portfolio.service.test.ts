/**
 * PortfolioService: margin health and simulation from the account, and the best-paying
 * arbitrage pairs from the funding scan over a funding monitor's readings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';

import { VirtualClock } from '../../../core/clock.js';
import { dec, ZERO } from '../../../core/decimal.js';
import { ExchangeError } from '../../../core/errors.js';
import type { Position } from '../../../core/exchange.types.js';
import { parseArbitragePair } from '../../../actors/arbitrage/arbitrage.config.js';
import type { FeedKey, LegFeedSnapshot } from '../../../actors/arbitrage/funding-monitor.js';
import { OrderHistoryRepo } from '../../../actors/store/order-history.repo.js';
import { fundingScan, type FundingReader } from '../../../server/rpc/funding-scan.js';
import { call, failure, fakeAccount, startRpc } from './rpc-harness.js';

const T0 = 1_765_000_000_000;
const HOUR = 3_600_000;
// The service never reads history here
const history = new OrderHistoryRepo(undefined as never);

function position(symbol: string, size: string, mark: string): Position {
  return {
    symbol,
    size: dec(size),
    entryPrice: dec(mark),
    markPrice: dec(mark),
    unrealizedPnl: ZERO,
    leverage: 5,
    marginType: 'cross',
    isolatedMargin: ZERO,
    liquidationPrice: ZERO,
  };
}

function pair(id: string, symbol: string) {
  const parsed = parseArbitragePair({
    pair: id,
    strategy: 'arbitrage',
    legs: [
      { venue: 'sim-spot', market: 'spot', symbol },
      { venue: 'sim', market: 'perp', symbol },
    ],
    quantity: '0.5',
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed));
  return parsed.config;
}

/** A monitor whose perps pay `rates` per 8 h, every feed fresh. */
function monitor(rates: Record<string, string>, prices: Record<string, string>): FundingReader {
  const snapshot = (key: FeedKey): LegFeedSnapshot => ({
    key,
    status: 'live',
    rate: key.market === 'perp' ? dec(rates[key.symbol] ?? '0') : ZERO,
    predictedRate: ZERO,
    nextFundingTimeMs: key.market === 'perp' ? T0 + HOUR : 0,
    intervalMs: key.market === 'perp' ? 8 * HOUR : null,
    price: dec(prices[`${key.market}:${key.symbol}`] ?? '0'),
    fundingAtMs: T0,
    priceAtMs: T0,
  });
  return {
    snapshot,
    legView: (key) => {
      const s = snapshot(key);
      return {
        market: key.market,
        rate: s.rate,
        intervalMs: s.intervalMs,
        nextFundingTimeMs: s.nextFundingTimeMs,
        feedProblem: null,
      };
    },
  };
}

describe('PortfolioService', () => {
  it('reports the margin profile of the account and projects proposed changes', async (t) => {
    const account = fakeAccount({
      positions: [position('BTCUSDT', '0.1', '100000')],
      totalMaintenanceMargin: dec('500'),
    });
    const rpc = await startRpc(t, {
      history,
      account: {
        getAccount: async () => account,
        getLatestPrice: async (symbol) => {
          if (symbol === 'ETHUSDT') return dec('3000');
          throw new ExchangeError('UNKNOWN_SYMBOL', `unknown symbol ${symbol}`);
        },
      },
    });
    const profile = await call<object, Record<string, { value: string } | boolean>>(
      rpc.clients.portfolio,
      'getRiskProfile',
      {},
    );
    const v = (k: string) => (profile[k] as { value: string }).value;
    assert.deepEqual(
      [
        v('adjustedEquity'),
        v('totalMaintenanceMargin'),
        v('availableHeadroom'),
        v('healthScore'),
        profile.isUnified,
      ],
      ['10000', '500', '7600', '0.94', false],
    );
    // 0.1 BTC at 100000 needs 500: a rate of 5 %; +1 BTC more needs 5000 more
    const more = await call<
      object,
      { projectedHealthScore: { value: string }; wouldLiquidate: boolean }
    >(rpc.clients.portfolio, 'simulateMargin', { proposals: { BTCUSDT: { value: '1' } } });
    assert.deepEqual([more.projectedHealthScore.value, more.wouldLiquidate], ['0.34', false]);
    const closing = await call<object, { projectedHealthScore: { value: string } }>(
      rpc.clients.portfolio,
      'simulateMargin',
      { proposals: { BTCUSDT: { value: '-0.1' } } },
    );
    assert.equal(closing.projectedHealthScore.value, '1');
    const huge = await call<object, { wouldLiquidate: boolean }>(
      rpc.clients.portfolio,
      'simulateMargin',
      {
        proposals: { ETHUSDT: { value: '100' } },
      },
    );
    assert.equal(huge.wouldLiquidate, true);
    const cases: [object, RegExp][] = [
      [{ proposals: {} }, /^proposals: is empty/],
      [{ proposals: { BTCUSDT: { value: '0' } } }, /^proposals\[BTCUSDT\]: must be a non-zero/],
      [{ proposals: { BTCUSDT: { value: 'x' } } }, /^proposals\[BTCUSDT\]: /],
      [{ proposals: { 'BTC USDT': { value: '1' } } }, /^proposals: /],
      [
        { proposals: { XRPUSDT: { value: '1' } } },
        /^proposals\[XRPUSDT\]: the venue does not list/,
      ],
    ];
    for (const [request, pattern] of cases) {
      const e = await failure(call(rpc.clients.portfolio, 'simulateMargin', request));
      assert.equal(e.code, Status.INVALID_ARGUMENT);
      assert.match(e.details, pattern);
    }
  });

  it('counts every call by method and the status it ended with', async (t) => {
    const registry = new Registry();
    const rpc = await startRpc(t, { history }, new VirtualClock(T0), 'drawdown', { registry });
    await call(rpc.clients.portfolio, 'getRiskProfile', {});
    await failure(call(rpc.clients.portfolio, 'simulateMargin', { proposals: {} }));
    const text = await registry.metrics();
    assert.match(text, /market_maker_rpc_calls_total\{method="GetRiskProfile",code="OK"\} 1/);
    assert.match(
      text,
      /market_maker_rpc_calls_total\{method="SimulateMargin",code="INVALID_ARGUMENT"\} 1/,
    );
  });

  it('answers empty lists when no pairs are configured', async (t) => {
    const none = await startRpc(t, { history });
    const targets = await call<object, { targets: unknown[] }>(
      none.clients.portfolio,
      'getTargetPositions',
      {},
    );
    const scores = await call<object, { opportunities: unknown[] }>(
      none.clients.portfolio,
      'getMarketScores',
      {},
    );
    assert.deepEqual([targets.targets, scores.opportunities], [[], []]);
    const empty = await startRpc(t, { history, funding: fundingScan(monitor({}, {}), () => []) });
    const stillNone = await call<object, { targets: unknown[] }>(
      empty.clients.portfolio,
      'getTargetPositions',
      {},
    );
    assert.deepEqual(stillNone.targets, []);
  });

  it('ranks the configured pairs by net APR and targets the ones whose rules would enter now', async (t) => {
    const clock = new VirtualClock(T0);
    const scan = fundingScan(
      monitor(
        { BTCUSDT: '0.001', ETHUSDT: '0.00001' },
        {
          'spot:BTCUSDT': '100000',
          'perp:BTCUSDT': '100100',
          'spot:ETHUSDT': '3000',
          'perp:ETHUSDT': '3000',
        },
      ),
      () => [pair('eth-basis', 'ETHUSDT'), pair('btc-basis', 'BTCUSDT')],
    );
    const rpc = await startRpc(t, { history, funding: scan, clock });
    const { opportunities } = await call<object, { opportunities: Record<string, unknown>[] }>(
      rpc.clients.portfolio,
      'getMarketScores',
      {},
    );
    const d = (o: Record<string, unknown>, k: string) =>
      (o[k] as { value: string } | undefined)?.value;
    assert.deepEqual(
      opportunities.map((o) => [o.strategy, o.longExchange, o.shortExchange]),
      [
        ['funding_arbitrage:btc-basis', 'sim-spot/spot', 'sim/perp'],
        ['funding_arbitrage:eth-basis', 'sim-spot/spot', 'sim/perp'],
      ],
    );
    const btc = opportunities[0]!;
    // 0.001 per 8 h is 1.095 a year; the basis is (100100 - 100000) / 100000
    assert.deepEqual(
      [d(btc, 'spread'), d(btc, 'spreadApr'), d(btc, 'basis'), btc.timestamp],
      ['0.001', '1.095', '0.001', BigInt(T0)],
    );
    assert.equal(btc.metrics, undefined, 'no funding history: unset, not zeros');
    const { targets } = await call<object, { targets: Record<string, unknown>[] }>(
      rpc.clients.portfolio,
      'getTargetPositions',
      {},
    );
    assert.deepEqual(
      targets.map((x) => [x.symbol, x.exchange, d(x, 'notional'), d(x, 'weight')]),
      [
        ['BTCUSDT', 'sim-spot/spot', '50000', '1'],
        ['BTCUSDT', 'sim/perp', '-50000', '1'],
      ],
      'only the BTC pair beats its entry APR and costs',
    );
  });
});
