/**
 * @module test/connector/ccxt/emulators/binance.streams
 * The WebSocket side of the Binance emulator. Public sockets take `{"method":"SUBSCRIBE"}`
 * frames and get `bookTicker`, `kline` and `markPriceUpdate` events at once and on every clock
 * second (a closed kline, `x: true`, when a minute ends); sockets opened with `?listenKey=` get
 * the user-data events. Prices are the emulator's fixed book.
 */
import type { WebSocket } from 'ws';
import type { TimerHandle, VirtualClock } from '../../../../../core/clock.js';
import { Decimal } from '../../../../../core/decimal.js';
import { BOOK } from './binance-usdm.ledger.js';
import { BinanceDepth } from './binance.depth.js';

const MINUTE = 60_000;
const FUNDING_PERIOD = 28_800_000;

export class BinanceStreams {
  /** Order books and their diff-depth events (`<symbol>@depth@100ms`). */
  readonly depth: BinanceDepth;
  private readonly publicSubs = new Map<WebSocket, Set<string>>();
  private readonly userSockets = new Set<WebSocket>();
  private readonly timer: TimerHandle;
  private minute: number;

  private readonly clock: VirtualClock;
  constructor(clock: VirtualClock) {
    this.clock = clock;
    this.depth = new BinanceDepth(() => clock.now());
    this.minute = Math.floor(clock.now() / MINUTE) * MINUTE;
    this.timer = clock.every(1000, () => this.tick());
  }

  /** Handles a new socket; returns its message handler. */
  connect(socket: WebSocket, url: URL): (data: string) => void {
    if (url.searchParams.has('listenKey')) {
      this.userSockets.add(socket);
      socket.on('close', () => this.userSockets.delete(socket));
      return () => undefined;
    }
    const subs = new Set<string>();
    this.publicSubs.set(socket, subs);
    socket.on('close', () => this.publicSubs.delete(socket));
    return (data) => {
      const frame = JSON.parse(data) as { method?: string; params?: string[]; id?: number };
      const params = frame.params ?? [];
      if (frame.method === 'SUBSCRIBE') params.forEach((p) => subs.add(p));
      if (frame.method === 'UNSUBSCRIBE') params.forEach((p) => subs.delete(p));
      socket.send(JSON.stringify({ result: null, id: frame.id }));
      if (frame.method === 'SUBSCRIBE') for (const p of params) this.push(socket, p, false);
    };
  }

  /** Public stream names subscribed, plus one per open user-data socket. */
  subscriptions(): { readonly public: number; readonly userData: number } {
    let count = 0;
    for (const subs of this.publicSubs.values()) count += subs.size;
    return { public: count, userData: this.userSockets.size };
  }

  userData(event: unknown): void {
    const text = JSON.stringify(event);
    for (const socket of this.userSockets) socket.send(text);
  }

  /** The next 00:00/08:00/16:00 UTC funding time strictly after now. */
  nextFundingTime(): number {
    return (Math.floor(this.clock.now() / FUNDING_PERIOD) + 1) * FUNDING_PERIOD;
  }

  /** `GET /fapi/v1/klines` rows: the last `limit` one-minute candles, the newest in progress. */
  klineRows(symbol: string, limit: number): unknown[][] {
    const current = Math.floor(this.clock.now() / MINUTE) * MINUTE;
    return Array.from({ length: limit }, (_, i) => {
      const k = this.kline(symbol, current - (limit - 1 - i) * MINUTE, false);
      return [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q, '0'];
    });
  }

  close(): void {
    this.clock.clear(this.timer);
  }

  private tick(): void {
    const minute = Math.floor(this.clock.now() / MINUTE) * MINUTE;
    for (const [socket, subs] of this.publicSubs) {
      for (const stream of subs) {
        if (minute > this.minute && stream.includes('@kline_')) this.push(socket, stream, true);
        this.push(socket, stream, false);
      }
    }
    this.minute = minute;
  }

  private push(socket: WebSocket, stream: string, closedKline: boolean): void {
    const symbol = stream.split('@')[0]?.toUpperCase() ?? '';
    const book = BOOK[symbol];
    if (book === undefined) return;
    const now = this.clock.now();
    const mid = new Decimal(book.bid).add(book.ask).div(2).toFixed();
    let event: unknown;
    if (stream.endsWith('@bookTicker')) {
      event = {
        e: 'bookTicker',
        u: now,
        E: now,
        T: now,
        s: symbol,
        b: book.bid,
        B: '1.500',
        a: book.ask,
        A: '0.800',
      };
    } else if (stream.includes('@kline_')) {
      const open = closedKline ? this.minute : Math.floor(now / MINUTE) * MINUTE;
      event = { e: 'kline', E: now, s: symbol, k: this.kline(symbol, open, closedKline) };
    } else if (stream.includes('@markPrice')) {
      event = {
        e: 'markPriceUpdate',
        E: now,
        s: symbol,
        p: mid,
        ap: mid,
        P: mid,
        i: mid,
        r: '0.00010000',
        T: this.nextFundingTime(),
      };
    } else if (stream.includes('@depth')) {
      event = this.depth.nextEvent(symbol);
    } else {
      return;
    }
    socket.send(JSON.stringify(event));
  }

  private kline(symbol: string, openTime: number, closed: boolean) {
    const book = BOOK[symbol] ?? { bid: '0', ask: '0' };
    const mid = new Decimal(book.bid).add(book.ask).div(2).toFixed();
    return {
      t: openTime,
      T: openTime + MINUTE - 1,
      s: symbol,
      i: '1m',
      f: 100,
      L: 200,
      o: mid,
      c: mid,
      h: book.ask,
      l: book.bid,
      v: '12.500',
      n: 101,
      x: closed,
      q: new Decimal(mid).mul('12.5').toFixed(),
      V: '6.250',
      Q: new Decimal(mid).mul('6.25').toFixed(),
      B: '0',
    };
  }
}
