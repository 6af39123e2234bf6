/**
 * @module test/connector/ccxt/emulators/binance.depth
 * The Binance emulator's USD-M order books: 25 levels a side around the fixed BOOK, one tick
 * apart, and the diff-depth protocol ccxt's watchOrderBook syncs with: `GET /fapi/v1/depth`
 * answers a snapshot with `lastUpdateId`, and every `<symbol>@depth@100ms` event carries
 * `U`/`u` (its first and last update id) and `pu` (the previous event's `u`). Each event moves
 * the size of the best bid, so a stream always has something new to tell.
 */
import { Decimal } from '../../../../../core/decimal.js';
import { BOOK } from './binance-usdm.ledger.js';

const LEVELS = 25;
const TICK = '0.1';

export class BinanceDepth {
  private updateId = 1_027_024;
  private generation = 0;

  private readonly now: () => number;
  constructor(now: () => number) {
    this.now = now;
  }

  /** `GET /fapi/v1/depth` for `symbol`, `limit` levels a side. */
  snapshot(symbol: string, limit: number) {
    const now = this.now();
    return {
      lastUpdateId: this.updateId,
      E: now,
      T: now,
      bids: this.side(symbol, true).slice(0, limit),
      asks: this.side(symbol, false).slice(0, limit),
    };
  }

  /** The next `depthUpdate` event of `symbol`, or undefined for a symbol without a book. */
  nextEvent(symbol: string) {
    if (BOOK[symbol] === undefined) return undefined;
    const previous = this.updateId;
    this.updateId++;
    this.generation++;
    const now = this.now();
    const best = this.side(symbol, true)[0] as [string, string];
    return {
      e: 'depthUpdate',
      E: now,
      T: now,
      s: symbol,
      U: previous + 1,
      u: this.updateId,
      pu: previous,
      b: [best],
      a: [],
    };
  }

  /** Levels best first; the best bid's size changes with every event. */
  private side(symbol: string, isBid: boolean): [string, string][] {
    const book = BOOK[symbol];
    if (book === undefined) return [];
    const top = new Decimal(isBid ? book.bid : book.ask);
    return Array.from({ length: LEVELS }, (_, i) => {
      const price = isBid ? top.sub(new Decimal(TICK).mul(i)) : top.add(new Decimal(TICK).mul(i));
      const size = i === 0 && isBid ? 1.5 + (this.generation % 5) * 0.1 : 0.8 + i * 0.1;
      return [price.toFixed(1), size.toFixed(3)];
    });
  }
}
