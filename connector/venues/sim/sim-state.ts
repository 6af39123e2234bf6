/**
 * @module connector/venues/sim/sim-state
 * The saved state of a simulated venue (format version 1): a plain JSON object with every money
 * value as a decimal string, validated by a zod schema on load so a damaged or hand-edited state
 * fails with the path of the bad key instead of restoring a venue that silently disagrees with
 * what the market maker remembers. Component shapes are exported so each part of the venue
 * (ledgers, funding, candles, price process) can save and restore its own slice.
 */
import { z } from 'zod';
import { describeIssues } from '../../../core/config-file.js';
import { checkDecimal } from '../../../core/decimal.js';

/** The one format version this build writes and reads. */
export const SIM_STATE_VERSION = 1;

/** A saved state that cannot be restored: bad shape, other version, or another config. */
export class SimStateError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid simulated venue state:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimStateError';
    this.problems = problems;
  }
}

/** The one decimal grammar and bounds (core/decimal): a damaged state cannot smuggle 1e199999999. */
function isDecimal(value: string): boolean {
  return checkDecimal(value) === undefined;
}

const dec = z.string().refine(isDecimal, 'must be a decimal string, e.g. "1.5"');
const time = z.number().int().nonnegative();
const side = z.enum(['BUY', 'SELL']);

const tradeSchema = z
  .object({
    tradeId: z.string(),
    orderId: z.string(),
    symbol: z.string(),
    side,
    price: dec,
    quantity: dec,
    fee: dec,
    feeAsset: z.string(),
    isMaker: z.boolean(),
    realizedPnl: dec,
    timeMs: time,
  })
  .strict();

const orderSchema = z
  .object({
    orderId: z.string().min(1),
    clientOrderId: z.string().min(1),
    symbol: z.string(),
    side,
    type: z.enum(['LIMIT', 'MARKET']),
    timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'GTX']),
    price: dec,
    /** Null for a market order (its tick index is NaN in memory, which JSON cannot hold). */
    priceTicks: z.number().int().positive().nullable(),
    quantity: dec,
    reduceOnly: z.boolean(),
    postOnly: z.boolean(),
    useMargin: z.boolean(),
    createdAtMs: time,
    executedQty: dec,
    cumQuote: dec,
    status: z.enum(['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']),
    updateTimeMs: time,
    reserved: dec,
    trades: z.array(tradeSchema),
  })
  .strict();

const bookSchema = z.object({ bids: z.array(z.string()), asks: z.array(z.string()) }).strict();

const coreSchema = z
  .object({
    /** Every retained order (open and closed), in creation order. */
    orders: z.array(orderSchema),
    /** Retained closed order ids, oldest retirement first (the forgetting order). */
    closedIds: z.array(z.string()),
    /** Every client order id ever accepted, including forgotten orders'. */
    seenClientIds: z.array(z.string()),
    /** Resting order ids per symbol and side, best price first, FIFO within a level. */
    books: z.record(z.string(), bookSchema),
  })
  .strict();

/** A closed 1m candle: [openTimeMs, open, high, low, close, volume] (compact: ~1500 per market). */
const candleSchema = z.tuple([time, dec, dec, dec, dec, dec]);

const klineSchema = z
  .object({
    openTimeMs: time,
    open: dec,
    high: dec,
    low: dec,
    close: dec,
    volume: dec,
    minutes: z.array(candleSchema),
  })
  .strict();

const futuresLedgerSchema = z
  .object({
    wallet: dec,
    orderMargin: dec,
    positions: z.array(
      z
        .object({ symbol: z.string(), size: dec, entry: dec, leverage: z.number().int().min(1) })
        .strict(),
    ),
  })
  .strict();

const holdingSchema = z
  .object({
    asset: z.string(),
    free: dec,
    locked: dec,
    borrowed: dec,
    /** Margin interest owed; absent in states saved before interest was charged. */
    interest: dec.optional(),
  })
  .strict();

const spotLedgerSchema = z
  .object({ cash: z.array(holdingSchema), margin: z.array(holdingSchema) })
  .strict();

const rngSchema = z
  .object({ state: z.number().int().nonnegative(), spareNormal: z.number().nullable() })
  .strict();

const fundingSchema = z
  .object({
    nextFundingTimeMs: time,
    symbols: z.record(
      z.string(),
      z
        .object({
          premiumSum: dec,
          samples: z.number().int().nonnegative(),
          premium: dec,
          history: z.array(
            z
              .object({ rate: dec, predictedRate: dec, nextFundingTimeMs: time, timeMs: time })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

const priceSchema = z
  .object({
    rng: rngSchema,
    symbols: z.record(
      z.string(),
      z.object({ price: z.number().positive(), basis: z.number() }).strict(),
    ),
  })
  .strict();

const marketKindSchema = <L extends z.ZodType>(ledger: L) =>
  z.object({ core: coreSchema, ledger, klines: z.record(z.string(), klineSchema) }).strict();

/** An extra perpetual venue (`perpVenues` in the config): its basis, funding and market. */
const perpVenueStateSchema = z
  .object({
    basis: z.object({ rng: rngSchema, symbols: z.record(z.string(), z.number()) }).strict(),
    volumeRng: rngSchema,
    funding: fundingSchema,
    futures: marketKindSchema(futuresLedgerSchema),
  })
  .strict();

export const simVenueStateSchema = z
  .object({
    version: z.literal(SIM_STATE_VERSION, {
      error: `unsupported state version; this build reads version ${SIM_STATE_VERSION}`,
    }),
    /** Venue clock time of the save, epoch milliseconds. */
    savedAtMs: time,
    /** Listed symbols in listing order; a venue with other symbols refuses the state. */
    symbols: z.array(z.string()).min(1),
    orderSeq: z.number().int().nonnegative(),
    tradeSeq: z.number().int().nonnegative(),
    volumeRng: rngSchema,
    price: priceSchema,
    funding: fundingSchema,
    futures: marketKindSchema(futuresLedgerSchema),
    spot: marketKindSchema(spotLedgerSchema),
    /** Extra perp venues by name; absent in states saved without any. */
    perpVenues: z.record(z.string(), perpVenueStateSchema).optional(),
  })
  .strict();

/** The whole saved venue; JSON-serializable as is. */
export type SimVenueState = z.output<typeof simVenueStateSchema>;
/** One market kind's orders and books. */
export type CoreState = z.output<typeof coreSchema>;
/** One saved order record. */
export type OrderRecordState = z.output<typeof orderSchema>;
/** One market's candles. */
export type KlineState = z.output<typeof klineSchema>;
export type FuturesLedgerState = z.output<typeof futuresLedgerSchema>;
export type SpotLedgerState = z.output<typeof spotLedgerSchema>;
export type FundingState = z.output<typeof fundingSchema>;
export type PriceProcessState = z.output<typeof priceSchema>;
export type PerpVenueState = z.output<typeof perpVenueStateSchema>;
/** A SeededRandom's position in its sequence. */
export type RandomState = z.output<typeof rngSchema>;

/**
 * Validates a parsed JSON value as a venue state.
 * @throws {SimStateError} listing every bad key as "key.path: reason"
 */
export function parseSimVenueState(input: unknown): SimVenueState {
  const result = simVenueStateSchema.safeParse(input);
  if (!result.success) throw new SimStateError(describeIssues(result.error));
  return result.data;
}
