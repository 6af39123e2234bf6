/**
 * @module connector/conformance/market.cases
 * Account and market-data cases: market kind, account, balance, latest price, tickers, open
 * interest, klines, symbol info, symbols and funding.
 */
import assert from 'node:assert/strict';

import { rejectsWith, SYMBOL, type ConformanceCase } from './case.js';

export const marketCases: readonly ConformanceCase[] = [
  {
    name: 'reports its market kind and name',
    async run({ exchange, spot, fresh }) {
      assert.equal((await exchange.getType()).kind, 'futures');
      assert.ok(exchange.name.length > 0, 'a venue name');
      assert.equal(exchange.isReachable(), true);
      if (spot) assert.equal((await spot.getType()).kind, 'spot');
      if (fresh) {
        assert.deepEqual(await exchange.getType(), { kind: 'futures', isUnifiedMargin: false });
        assert.equal(exchange.name, 'sim');
        assert.equal(spot?.name, 'sim-spot');
      }
    },
  },
  {
    name: 'reports the account and the free balance of an asset',
    async run({ exchange, spot, fresh }) {
      const account = await exchange.getAccount();

      assert.ok(account.totalWalletBalance.gte(0));
      assert.ok(account.availableBalance.gte(0));
      assert.ok((await exchange.getBalance('USDT')).gte(0));
      // An asset the venue does not list is refused, never reported as a balance of 0
      if (spot) await rejectsWith(spot.getBalance('NOSUCHCOIN'), 'INVALID_ARGUMENT', 'asset');
      if (fresh) {
        // A listed asset the account does not hold is 0
        assert.equal((await exchange.getBalance('BTC')).toFixed(), '0');
        assert.equal(account.totalWalletBalance.toFixed(), '100000');
        assert.equal(account.availableBalance.toFixed(), '100000');
        assert.deepEqual(account.positions, []);
        assert.equal((await exchange.getBalance('USDT')).toFixed(), '100000');
        assert.equal((await spot?.getBalance('BTC'))?.toFixed(), '1');
      }
    },
  },
  {
    name: 'reports the latest price, the tickers and the open interest',
    async run({ exchange, fresh }) {
      const price = await exchange.getLatestPrice(SYMBOL);
      const tickers = await exchange.getTickers();
      const ticker = tickers.find((t) => t.symbol === SYMBOL);

      assert.ok(price.gt(0));
      if (fresh) assert.ok(price.gt(50_000) && price.lt(200_000), `near its start, was ${price}`);
      assert.ok(ticker, 'a BTCUSDT ticker');
      if (fresh) assert.equal(ticker.lastPrice.toFixed(), price.toFixed());
      else assert.ok(ticker.lastPrice.gt(0));
      assert.ok(ticker.timeMs > 0);
      assert.ok((await exchange.getOpenInterest(SYMBOL)).gt(0));
    },
  },
  {
    name: 'returns klines oldest first, the last one possibly in progress',
    async run({ exchange }) {
      const candles = await exchange.getHistoricalKlines(SYMBOL, '1m', 5);

      assert.equal(candles.length, 5);
      for (const [i, candle] of candles.entries()) {
        assert.equal(candle.symbol, SYMBOL);
        assert.ok(candle.high.gte(candle.low));
        if (i > 0) assert.equal(candle.openTimeMs - (candles[i - 1]?.openTimeMs ?? 0), 60_000);
      }
      assert.ok(candles.slice(0, -1).every((c) => c.isClosed));
    },
  },
  {
    name: 'describes a symbol and lists the symbols',
    async run({ exchange, spot, fresh }) {
      await exchange.fetchExchangeInfo(SYMBOL);
      const info = await exchange.getSymbolInfo(SYMBOL);

      assert.deepEqual([info.symbol, info.baseAsset, info.quoteAsset], [SYMBOL, 'BTC', 'USDT']);
      for (const filter of [info.tickSize, info.stepSize, info.minQuantity]) {
        assert.ok(filter.gt(0));
      }
      if (fresh) {
        assert.deepEqual(
          [info.tickSize, info.stepSize, info.minQuantity, info.minNotional].map((d) =>
            d.toFixed(),
          ),
          ['0.1', '0.001', '0.001', '5'],
        );
        assert.equal((await spot?.getSymbolInfo(SYMBOL))?.tickSize.toFixed(), '0.01');
      }
      assert.ok((await exchange.getSymbols()).includes(SYMBOL));
    },
  },
  {
    name: 'reports funding rates, current and historical',
    async run({ exchange, now, fresh }) {
      const rate = await exchange.getFundingRate(SYMBOL);
      const rates = await exchange.getFundingRates();
      const history = await exchange.getHistoricalFundingRates(SYMBOL, 3);

      assert.equal(rate.symbol, SYMBOL);
      if (fresh) assert.equal(rate.exchange, 'sim');
      assert.ok(rate.nextFundingTimeMs > now());
      assert.ok(rates.some((r) => r.symbol === SYMBOL && r.rate.eq(rate.rate)));
      assert.ok(history.length > 0 && history.length <= 3);
      assert.ok(history.every((r, i) => i === 0 || r.timeMs > (history[i - 1]?.timeMs ?? 0)));
    },
  },
];
