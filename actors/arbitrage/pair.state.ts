/**
 * @module actors/arbitrage/pair.state
 * What one arbitrage pair persists (the `state` column of `arbitrage_pairs`), and what it shows
 * on /status and GET /arbitrage. Plain JSON: decimals are strings, times epoch ms.
 */
import type { TradingState } from '../../machines/trading-state.machine.js';
import type { LegKey, LegMarket, PairLeg } from '../../machines/arbitrage-pair.js';
import type { ArbitragePositionInput } from '../../machines/arbitrage-position.machine.js';
import type { ArbitragePairConfig } from './arbitrage.config.js';
import { EMPTY_LEDGER, type PairLedger } from './pair-ledger.js';

/** The persisted state of a pair. */
export interface PairState {
  /** The last cycle workflow whose result the pair applied; the next is `cycle + 1`. */
  readonly cycle: number;
  /** The position machine's persisted snapshot; null before the first cycle. */
  readonly machine: unknown;
  /** The trading-state machine's persisted snapshot (the pair's guards); null when new. */
  readonly trading: unknown;
  /** When the pair last went flat, epoch ms; null if never. */
  readonly exitedAtMs: number | null;
  readonly ledger: PairLedger;
  /** `arb.retry` cycles run since the pair last rested hedged or flat. */
  readonly retries: number;
}

export const INITIAL_PAIR_STATE: PairState = {
  cycle: 0,
  machine: null,
  trading: null,
  exitedAtMs: null,
  ledger: EMPTY_LEDGER,
  retries: 0,
};

/**
 * Reads a stored state, tolerating a pair saved before a field existed.
 * @throws {Error} when the stored value is not a pair state at all
 */
export function pairStateOf(stored: unknown): PairState {
  if (stored === null || stored === undefined) return INITIAL_PAIR_STATE;
  if (typeof stored !== 'object' || typeof (stored as PairState).cycle !== 'number') {
    throw new Error('stored arbitrage pair state is not a pair state (no cycle number)');
  }
  return { ...INITIAL_PAIR_STATE, ...(stored as Partial<PairState>) } as PairState;
}

/** One leg as /status and GET /arbitrage show it. */
export interface PairLegView {
  readonly leg: LegKey;
  readonly venue: string;
  readonly market: LegMarket;
  readonly symbol: string;
  /** Signed base units. */
  readonly position: string;
  readonly price: string | null;
  readonly fundingRate: string;
  /** Epoch ms; 0 on spot. */
  readonly nextFundingTimeMs: number;
  readonly fundingIntervalMs: number | null;
  /** Null when fresh, else FEED_STALE or FEED_MISSING. */
  readonly feedProblem: string | null;
}

/** A pair's actor as /status and GET /arbitrage show it. */
export interface PairView {
  /** The position machine's state: flat, entering.*, hedged, exiting.*, repairing.*. */
  readonly position: string;
  readonly trading: TradingState;
  /** Why trading is restricted; null when ACTIVE. */
  readonly tradingReason: string | null;
  readonly legs: readonly PairLegView[];
  /** |short| / |long|: 1 for a perfect hedge (and for a flat pair). */
  readonly hedgeRatio: string;
  /** Funding spread of the held (or best) direction per period, and its APR. */
  readonly spread: string | null;
  readonly apr: string | null;
  /** The last decision: enter, exit or hold, and why it held. */
  readonly decision: { readonly action: string; readonly reason: string | null } | null;
  readonly fundingReceived: string;
  readonly settlements: number;
  readonly fees: string;
  /** Null while a held leg has no price. */
  readonly netPnl: string | null;
  readonly cycle: number;
  /** A cycle workflow is running. */
  readonly busy: boolean;
}

/** Whether two legs name the same market on the same venue. */
export function sameLeg(a: PairLeg, b: PairLeg): boolean {
  return a.venue === b.venue && a.market === b.market && a.symbol === b.symbol;
}

/** A machine input for reading a snapshot before the venues were asked for step sizes. */
export function placeholderInput(config: ArbitragePairConfig): ArbitragePositionInput {
  const leg = (key: LegKey) => ({ ...config.legs[key], stepSize: '1' });
  return {
    pairId: config.pairId,
    legs: { a: leg('a'), b: leg('b') },
    firstLeg: config.firstLeg,
    hedgeTolerance: '1',
  };
}
