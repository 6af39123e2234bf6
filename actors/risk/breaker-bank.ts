/**
 * @module actors/risk/breaker-bank
 * One evaluator per enabled breaker and scope, built from `risk.breakers`, and the typed inputs
 * that feed them. A symbol-scoped breaker has one evaluator per traded symbol; a global one has a
 * single evaluator fed by every symbol. `verdicts(now)` answers for all of them at once; the risk
 * controller passes each verdict to its breaker machine.
 */
import type { Decimal } from '../../core/decimal.js';
import type { BreakerKind, BreakersConfig } from './risk.config.js';
import { BREAKER_KINDS } from './risk.config.js';
import {
  DivergenceEvaluator,
  FeedStalenessEvaluator,
  LiquidationDistanceEvaluator,
  LossStreakEvaluator,
  MarginRatioEvaluator,
} from './state-evaluators.js';
import type { Feed } from './risk.metrics.js';
import {
  DrawdownEvaluator,
  LatencyEvaluator,
  RefusalStormEvaluator,
  type Verdict,
} from './window-evaluators.js';

/** Anything that answers a verdict. */
interface Evaluator {
  verdict(nowMs: number): Verdict;
}

/** A breaker instance: its kind and scope (`global` or a symbol). */
export interface BreakerId {
  readonly kind: BreakerKind;
  readonly scope: string;
}

/** The global scope's name. */
export const GLOBAL = 'global';

const FEED_OF: Partial<Record<BreakerKind, Feed>> = {
  stale_price: 'price',
  stale_orders: 'orders',
  stale_account: 'account',
  stale_positions: 'positions',
  stale_funding: 'funding',
};

/** Evaluators of every enabled breaker. */
export class BreakerBank {
  readonly #config: BreakersConfig;
  readonly #evaluators = new Map<string, Evaluator>();

  /**
   * @param config - `risk.breakers`
   * @param nowMs - when watching starts (feeds that never deliver go stale from here)
   */
  constructor(config: BreakersConfig, nowMs: number) {
    this.#config = config;
    for (const kind of this.#enabled('global')) this.#create(kind, GLOBAL, nowMs);
  }

  /** Adds a symbol's symbol-scoped breakers (idempotent). */
  addSymbol(symbol: string, nowMs: number): void {
    for (const kind of this.#enabled('symbol')) {
      if (!this.#evaluators.has(key(kind, symbol))) this.#create(kind, symbol, nowMs);
    }
  }

  /** Drops a symbol's breakers. */
  removeSymbol(symbol: string): void {
    for (const kind of BREAKER_KINDS) this.#evaluators.delete(key(kind, symbol));
  }

  /** Every breaker instance, by kind then scope. */
  ids(): BreakerId[] {
    return [...this.#evaluators.keys()].map(parseKey);
  }

  /** The scope a breaker kind applies to for `symbol`: the symbol, or `global`. */
  scopeFor(kind: BreakerKind, symbol: string): string {
    return this.#config[kind].scope === 'global' ? GLOBAL : symbol;
  }

  /** Verdicts of every breaker at `nowMs`. */
  verdicts(nowMs: number): { id: BreakerId; verdict: Verdict }[] {
    return [...this.#evaluators].map(([k, evaluator]) => ({
      id: parseKey(k),
      verdict: evaluator.verdict(nowMs),
    }));
  }

  /** The verdict of one breaker, or null when it is not enabled there. */
  verdict(id: BreakerId, nowMs: number): Verdict | null {
    return this.#evaluators.get(key(id.kind, id.scope))?.verdict(nowMs) ?? null;
  }

  // -- INPUTS --

  /** A round trip of `symbol` finished: PnL before fees and the fees of both legs. */
  roundTrip(symbol: string, grossPnl: Decimal, fees: Decimal): void {
    this.#get<LossStreakEvaluator>('loss_streak', symbol)?.recordRoundTrip(grossPnl, fees);
  }

  /**
   * Equity for drawdown: `global` gets wallet balance + unrealized PnL, a symbol its committed
   * capital + realized + unrealized PnL. Only the matching scope's breaker takes it.
   */
  equity(scope: string, atMs: number, equity: Decimal): void {
    const evaluator = this.#evaluators.get(key('drawdown', scope));
    if (evaluator instanceof DrawdownEvaluator) evaluator.record(atMs, equity);
  }

  /** A venue call of `symbol` took `latencyMs`. */
  latency(symbol: string, atMs: number, latencyMs: number): void {
    this.#get<LatencyEvaluator>('latency', symbol)?.record(atMs, latencyMs);
  }

  /** An update of `feed` arrived (`symbol` for per-symbol feeds, else `global`). */
  feed(feed: Feed, symbol: string, atMs: number): void {
    for (const [kind, f] of Object.entries(FEED_OF) as [BreakerKind, Feed][]) {
      if (f === feed) this.#get<FeedStalenessEvaluator>(kind, symbol)?.touch(atMs);
    }
  }

  /** The venue refused or failed a call of `symbol` (a venue port reason). */
  refusal(symbol: string, atMs: number, reason: string): void {
    this.#get<RefusalStormEvaluator>('refusal_storm', symbol)?.record(atMs, reason);
  }

  /** An account update: maintenance margin and margin balance. */
  account(maintenanceMargin: Decimal, marginBalance: Decimal): void {
    this.#get<MarginRatioEvaluator>('margin_ratio', GLOBAL)?.update(
      maintenanceMargin,
      marginBalance,
    );
  }

  /** A position update of `symbol`. */
  position(symbol: string, size: Decimal, markPrice: Decimal, liquidationPrice: Decimal): void {
    this.#get<LiquidationDistanceEvaluator>('liquidation_distance', symbol)?.update(
      size,
      markPrice,
      liquidationPrice,
    );
  }

  /** A reconciliation of `symbol`: our position and the venue's. */
  reconciled(symbol: string, local: Decimal, venue: Decimal): void {
    this.#get<DivergenceEvaluator>('position_divergence', symbol)?.record(local, venue);
  }

  /**
   * Drawdown of every scope with a drawdown breaker, as a fraction of its window's peak equity
   * (for the `market_maker_drawdown_ratio` gauge); scopes with no equity yet are left out.
   */
  drawdowns(nowMs: number): Map<string, Decimal> {
    const out = new Map<string, Decimal>();
    for (const [k, evaluator] of this.#evaluators) {
      if (!(evaluator instanceof DrawdownEvaluator)) continue;
      const ratio = evaluator.ratio(nowMs);
      if (ratio !== null) out.set(k.slice(k.indexOf('|') + 1), ratio);
    }
    return out;
  }

  /** A trip consumed what the condition counted (the loss streak). */
  acknowledge(id: BreakerId): void {
    const evaluator = this.#evaluators.get(key(id.kind, id.scope));
    if (evaluator instanceof LossStreakEvaluator) evaluator.acknowledge();
  }

  // -- INTERNAL --

  #enabled(scope: 'global' | 'symbol'): BreakerKind[] {
    return BREAKER_KINDS.filter((k) => this.#config[k].enabled && this.#config[k].scope === scope);
  }

  #get<T extends Evaluator>(kind: BreakerKind, symbol: string): T | undefined {
    return this.#evaluators.get(key(kind, this.scopeFor(kind, symbol))) as T | undefined;
  }

  #create(kind: BreakerKind, scope: string, nowMs: number): void {
    const c = this.#config;
    const evaluator = ((): Evaluator => {
      switch (kind) {
        case 'loss_streak':
          return new LossStreakEvaluator(c.loss_streak.max_consecutive_losses);
        case 'drawdown':
          return new DrawdownEvaluator(c.drawdown.max_drawdown_pct, c.drawdown.window_ms);
        case 'latency':
          return new LatencyEvaluator(
            c.latency.max_p99_ms,
            c.latency.window_ms,
            c.latency.min_samples,
          );
        case 'refusal_storm':
          return new RefusalStormEvaluator(c.refusal_storm.max_refusals, c.refusal_storm.window_ms);
        case 'margin_ratio':
          return new MarginRatioEvaluator(c.margin_ratio.max_margin_ratio);
        case 'liquidation_distance':
          return new LiquidationDistanceEvaluator(c.liquidation_distance.min_distance_pct);
        case 'position_divergence':
          return new DivergenceEvaluator(c.position_divergence.max_divergence_pct);
        case 'stale_price':
        case 'stale_orders':
        case 'stale_account':
        case 'stale_positions':
        case 'stale_funding':
          return new FeedStalenessEvaluator(FEED_OF[kind] ?? kind, c[kind].max_age_ms, nowMs);
      }
    })();
    this.#evaluators.set(key(kind, scope), evaluator);
  }
}

function key(kind: BreakerKind, scope: string): string {
  return `${kind}|${scope}`;
}

function parseKey(k: string): BreakerId {
  const [kind, scope] = k.split('|') as [BreakerKind, string];
  return { kind, scope };
}
