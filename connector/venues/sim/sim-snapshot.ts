/**
 * @module connector/venues/sim/sim-snapshot
 * Turns the live parts of a simulated venue into a `SimVenueState` and back. Restoring is
 * all-or-nothing in spirit: every cross-reference (symbols, book entries, closed-order queue) is
 * checked before anything is applied, so a state from another config is refused with a clear
 * message instead of leaving a half-restored venue.
 */
import { Decimal } from '../../../core/decimal.js';
import type { Trade } from '../../../core/exchange.types.js';
import type { FundingSchedule } from './funding-schedule.js';
import type { FuturesLedger } from './futures-ledger.js';
import { isOpenStatus, type OrderRecord } from './order-record.js';
import type { PriceProcess } from './price-process.js';
import type { SeededRandom } from './seeded-random.js';
import type { SpotLedger } from './spot-ledger.js';
import {
  parseSimVenueState,
  SIM_STATE_VERSION,
  SimStateError,
  type CoreState,
  type OrderRecordState,
  type SimVenueState,
} from './sim-state.js';
import type { TradingCore } from './trading-core.js';

/** The live parts of a venue that hold state. */
export interface VenueParts {
  readonly symbols: readonly string[];
  readonly process: PriceProcess;
  readonly volumeRng: SeededRandom;
  readonly futuresCore: TradingCore;
  readonly spotCore: TradingCore;
  readonly futuresLedger: FuturesLedger;
  readonly spotLedger: SpotLedger;
  readonly funding: FundingSchedule;
}

/** Id counters of the venue (not part of any component). */
export interface VenueSequences {
  readonly orderSeq: number;
  readonly tradeSeq: number;
}

/** Captures the whole venue as a JSON-serializable object. */
export function captureVenueState(
  parts: VenueParts,
  seq: VenueSequences,
  nowMs: number,
): SimVenueState {
  const klines = (core: TradingCore): SimVenueState['futures']['klines'] =>
    Object.fromEntries([...core.deps.markets].map(([s, m]) => [s, m.klines.saveState()]));
  return {
    version: SIM_STATE_VERSION,
    savedAtMs: nowMs,
    symbols: [...parts.symbols],
    orderSeq: seq.orderSeq,
    tradeSeq: seq.tradeSeq,
    volumeRng: parts.volumeRng.saveState(),
    price: parts.process.saveState(),
    funding: parts.funding.saveState(),
    futures: {
      core: saveCore(parts.futuresCore),
      ledger: parts.futuresLedger.saveState(),
      klines: klines(parts.futuresCore),
    },
    spot: {
      core: saveCore(parts.spotCore),
      ledger: parts.spotLedger.saveState(),
      klines: klines(parts.spotCore),
    },
  };
}

/**
 * Validates a saved state against the venue and applies it to freshly built parts (before any
 * timer runs). Prices continue from the saved ones; see KlineSeries.restoreState for candles.
 * @returns the saved id counters
 * @throws {SimStateError} bad shape (naming the key), other version, other symbols, broken refs
 */
export function restoreVenueState(parts: VenueParts, input: unknown): VenueSequences {
  const state = parseSimVenueState(input);
  checkSymbols(parts.symbols, state);
  const futures = decodeCore(parts.futuresCore, state.futures.core, 'futures');
  const spot = decodeCore(parts.spotCore, state.spot.core, 'spot');
  parts.process.restoreState(state.price);
  parts.volumeRng.restoreState(state.volumeRng);
  for (const symbol of parts.symbols) {
    // Markets show the process price as of the last step, exactly as before the save
    parts.futuresCore.market(symbol).setMid(parts.process.perp(symbol));
    parts.spotCore.market(symbol).setMid(parts.process.spot(symbol));
  }
  for (const [core, klines] of [
    [parts.futuresCore, state.futures.klines],
    [parts.spotCore, state.spot.klines],
  ] as const) {
    for (const [symbol, k] of Object.entries(klines)) core.market(symbol).klines.restoreState(k);
  }
  parts.futuresLedger.restoreState(state.futures.ledger);
  parts.spotLedger.restoreState(state.spot.ledger);
  parts.funding.restoreState(state.funding);
  applyCore(parts.futuresCore, futures, state.futures.core);
  applyCore(parts.spotCore, spot, state.spot.core);
  return { orderSeq: state.orderSeq, tradeSeq: state.tradeSeq };
}

function checkSymbols(symbols: readonly string[], state: SimVenueState): void {
  const want = symbols.join(',');
  if (state.symbols.join(',') !== want) {
    throw new SimStateError([
      `symbols: the state was saved by a venue listing [${state.symbols.join(', ')}] but this venue lists [${symbols.join(', ')}]; list the same symbols or delete the state file to start fresh`,
    ]);
  }
  const missing: string[] = [];
  const need = (where: string, record: Readonly<Record<string, unknown>>): void => {
    for (const s of symbols) if (record[s] === undefined) missing.push(`${where}.${s}: missing`);
    for (const s of Object.keys(record)) {
      if (!symbols.includes(s)) missing.push(`${where}.${s}: not a listed symbol`);
    }
  };
  need('price.symbols', state.price.symbols);
  need('funding.symbols', state.funding.symbols);
  need('futures.klines', state.futures.klines);
  need('spot.klines', state.spot.klines);
  if (missing.length > 0) throw new SimStateError(missing);
}

/** One market kind's orders, client ids and books, as saved. */
export function saveCore(core: TradingCore): CoreState {
  const books: CoreState['books'] = {};
  for (const [symbol, market] of core.deps.markets) {
    const ids = (side: typeof market.book.bids): string[] => {
      const out: string[] = [];
      for (const ticks of side.prices) for (const o of side.level(ticks)) out.push(o.orderId);
      return out;
    };
    const bids = ids(market.book.bids);
    const asks = ids(market.book.asks);
    if (bids.length + asks.length > 0) books[symbol] = { bids, asks };
  }
  return {
    orders: [...core.orders.values()].map(encodeRecord),
    closedIds: core.closedIds(),
    seenClientIds: [...core.seenClientIds],
    books,
  };
}

/** Decodes and cross-checks one core's orders before anything is applied. */
export function decodeCore(
  core: TradingCore,
  saved: CoreState,
  kind: string,
): Map<string, OrderRecord> {
  const problems: string[] = [];
  const records = new Map<string, OrderRecord>();
  const clientIds = new Set<string>();
  saved.orders.forEach((s, i) => {
    const at = `${kind}.core.orders.${i}`;
    if (!core.deps.markets.has(s.symbol)) problems.push(`${at}.symbol: ${s.symbol} is not listed`);
    if (records.has(s.orderId)) problems.push(`${at}.orderId: duplicate ${s.orderId}`);
    if (clientIds.has(s.clientOrderId)) {
      problems.push(`${at}.clientOrderId: duplicate ${s.clientOrderId}`);
    }
    if (s.type === 'LIMIT' && s.priceTicks === null) problems.push(`${at}.priceTicks: required`);
    clientIds.add(s.clientOrderId);
    records.set(s.orderId, decodeRecord(s));
  });
  let resting = 0;
  for (const [symbol, book] of Object.entries(saved.books)) {
    for (const [sideName, ids] of [
      ['bids', book.bids],
      ['asks', book.asks],
    ] as const) {
      for (const id of ids) {
        const o = records.get(id);
        const ok =
          o !== undefined &&
          o.symbol === symbol &&
          isOpenStatus(o.status) &&
          (o.side === 'BUY') === (sideName === 'bids');
        if (!ok)
          problems.push(
            `${kind}.core.books.${symbol}.${sideName}: ${id} is not an open order of that side`,
          );
        else resting++;
      }
    }
  }
  const open = [...records.values()].filter((o) => isOpenStatus(o.status)).length;
  if (open !== resting) {
    problems.push(`${kind}.core.books: ${open} open orders but ${resting} resting on the books`);
  }
  for (const id of saved.closedIds) {
    const o = records.get(id);
    if (o === undefined || isOpenStatus(o.status)) {
      problems.push(`${kind}.core.closedIds: ${id} is not a closed order`);
    }
  }
  if (problems.length > 0) throw new SimStateError(problems);
  return records;
}

/** Applies decoded orders to a fresh core: order maps, client ids, resting books. */
export function applyCore(
  core: TradingCore,
  records: Map<string, OrderRecord>,
  saved: CoreState,
): void {
  core.adopt([...records.values()], saved.closedIds);
  for (const id of saved.seenClientIds) core.seenClientIds.add(id);
  for (const [symbol, book] of Object.entries(saved.books)) {
    const market = core.market(symbol);
    // Re-adding in saved order rebuilds price levels and their FIFO queues exactly
    for (const id of [...book.bids, ...book.asks]) {
      const o = records.get(id) as OrderRecord;
      market.book.own(o.side).add(o);
    }
  }
}

function encodeRecord(o: OrderRecord): OrderRecordState {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.price.toString(),
    priceTicks: Number.isFinite(o.priceTicks) ? o.priceTicks : null,
    quantity: o.quantity.toString(),
    reduceOnly: o.reduceOnly,
    postOnly: o.postOnly,
    useMargin: o.useMargin,
    createdAtMs: o.createdAtMs,
    executedQty: o.executedQty.toString(),
    cumQuote: o.cumQuote.toString(),
    status: o.status,
    updateTimeMs: o.updateTimeMs,
    reserved: o.reserved.toString(),
    trades: o.trades.map((t) => ({
      tradeId: t.tradeId,
      orderId: t.orderId,
      symbol: t.symbol,
      side: t.side,
      price: t.price.toString(),
      quantity: t.quantity.toString(),
      fee: t.fee.toString(),
      feeAsset: t.feeAsset,
      isMaker: t.isMaker,
      realizedPnl: t.realizedPnl.toString(),
      timeMs: t.timeMs,
    })),
  };
}

function decodeRecord(s: OrderRecordState): OrderRecord {
  const D = (v: string): Decimal => new Decimal(v);
  return {
    orderId: s.orderId,
    clientOrderId: s.clientOrderId,
    symbol: s.symbol,
    side: s.side,
    type: s.type,
    timeInForce: s.timeInForce,
    price: D(s.price),
    priceTicks: s.priceTicks ?? Number.NaN,
    quantity: D(s.quantity),
    reduceOnly: s.reduceOnly,
    postOnly: s.postOnly,
    useMargin: s.useMargin,
    createdAtMs: s.createdAtMs,
    executedQty: D(s.executedQty),
    cumQuote: D(s.cumQuote),
    status: s.status,
    updateTimeMs: s.updateTimeMs,
    reserved: D(s.reserved),
    trades: s.trades.map((t): Trade =>
      Object.freeze({
        ...t,
        price: D(t.price),
        quantity: D(t.quantity),
        fee: D(t.fee),
        realizedPnl: D(t.realizedPnl),
      }),
    ),
  };
}
