/**
 * @module actors/arbitrage/arbitrage.metrics
 * The Prometheus metrics of funding-rate arbitrage (REQ-METRICS-001/002/004) and the pure figures
 * behind them: funding spread and APR, exposure of each leg and net, hedge ratio, margin ratio,
 * liquidation distance, hedge slippage and funding/price feed age.
 *
 * Labels are bounded (REQ-METRICS-004): `pair` is a configured pair id (like the grid's `symbol`),
 * `leg` is `a`, `b` or `net`, `role` is `spot`, `perp` or `net`, `feed` is `funding` or `price`,
 * and `venue` a configured venue name. No symbol lists, URLs or error texts ever become labels.
 *
 * The original's delta-neutrality gauge, 1 − |spot + perp| / (|spot| + |perp|), was fed unsigned
 * sizes and read 0 for a perfect hedge. Here the hedge ratio is |short leg| / |long leg| from
 * signed positions: exactly 1 for a perfect hedge, below 1 under-hedged, above 1 over-hedged.
 * Prometheus samples are floats, so decimals become numbers here and nowhere else.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import { Decimal, ZERO } from '../../core/decimal.js';
import type { Account, Position, Side } from '../../core/exchange.types.js';
import type { LegKey, LegMarket } from '../../machines/arbitrage-pair.js';

/** Leg label values: the two legs and their net. */
export type LegLabel = LegKey | 'net';
/** Role label values: the market of a leg, or `net`. */
export type RoleLabel = LegMarket | 'net';
/** Feed label values. */
export type FeedLabel = 'funding' | 'price';

/** Every arbitrage metric, registered on the engine's registry. */
export interface ArbitrageMetrics {
  readonly fundingRate: Gauge<'pair' | 'leg' | 'role'>;
  readonly fundingIntervalSeconds: Gauge<'pair' | 'leg' | 'role'>;
  readonly nextFundingTime: Gauge<'pair' | 'leg' | 'role'>;
  readonly fundingSpread: Gauge<'pair'>;
  readonly fundingApr: Gauge<'pair'>;
  readonly fundingNetApr: Gauge<'pair'>;
  readonly exposureBase: Gauge<'pair' | 'leg' | 'role'>;
  readonly exposureQuote: Gauge<'pair' | 'leg' | 'role'>;
  readonly hedgeRatio: Gauge<'pair'>;
  readonly marginRatio: Gauge<'pair' | 'leg' | 'role'>;
  readonly liquidationDistance: Gauge<'pair' | 'leg' | 'role'>;
  readonly hedgeSlippageBps: Histogram<'pair' | 'leg' | 'role'>;
  readonly feedAge: Gauge<'pair' | 'leg' | 'feed'>;
  readonly feedRetries: Counter<'venue' | 'feed'>;
  /** 1 for the pair's current state, 0 for the others (states: {@link PAIR_STATES}). */
  readonly pairState: Gauge<'pair' | 'state'>;
  /** Perp price over the other leg's, basis points (leg b over leg a for two perps). */
  readonly basisBps: Gauge<'pair'>;
  /** |a + b|, base units: what the legs are apart. */
  readonly legImbalance: Gauge<'pair'>;
  /** Funding received since the pair was added (negative: paid on balance), quote units. */
  readonly fundingCollected: Gauge<'pair'>;
  /** Compensation orders placed (a second leg that failed or filled short). */
  readonly compensations: Counter<'pair'>;
}

/** The bounded values of the `state` label of `market_maker_arb_pair_state`. */
export const PAIR_STATES = [
  'flat',
  'entering',
  'hedged',
  'exiting',
  'repairing',
  'halted',
  'failed',
] as const;

/**
 * Creates the arbitrage metrics on `registry` (the engine's, so /metrics serves them).
 * @param registry - a prom-client registry
 * @returns the metrics
 */
export function createArbitrageMetrics(registry: Registry): ArbitrageMetrics {
  const registers = [registry];
  const legLabels = ['pair', 'leg', 'role'] as const;
  return {
    fundingRate: new Gauge({
      name: 'market_maker_arb_funding_rate',
      help: 'Funding rate of the current period per leg, fraction (spot legs 0)',
      labelNames: legLabels,
      registers,
    }),
    fundingIntervalSeconds: new Gauge({
      name: 'market_maker_arb_funding_interval_seconds',
      help: "The venue's actual funding interval per perp leg, seconds",
      labelNames: legLabels,
      registers,
    }),
    nextFundingTime: new Gauge({
      name: 'market_maker_arb_next_funding_time_seconds',
      help: 'Next funding settlement per perp leg, unix seconds',
      labelNames: legLabels,
      registers,
    }),
    fundingSpread: new Gauge({
      name: 'market_maker_arb_funding_spread',
      help: 'Short-leg rate minus long-leg rate per period, fraction',
      labelNames: ['pair'],
      registers,
    }),
    fundingApr: new Gauge({
      name: 'market_maker_arb_funding_apr',
      help: "Funding spread annualised with each venue's real interval, fraction a year",
      labelNames: ['pair'],
      registers,
    }),
    fundingNetApr: new Gauge({
      name: 'market_maker_arb_funding_net_apr',
      help: 'Funding APR less round-trip fees, slippage and borrow cost over the holding horizon',
      labelNames: ['pair'],
      registers,
    }),
    exposureBase: new Gauge({
      name: 'market_maker_arb_exposure_base',
      help: 'Signed position per leg and net (a + b), base units',
      labelNames: legLabels,
      registers,
    }),
    exposureQuote: new Gauge({
      name: 'market_maker_arb_exposure_quote',
      help: 'Signed position value per leg and net at the leg price, quote units',
      labelNames: legLabels,
      registers,
    }),
    hedgeRatio: new Gauge({
      name: 'market_maker_arb_hedge_ratio',
      help: '|short leg| / |long leg|: 1 for a perfect hedge (and for a flat pair), 0 unhedged',
      labelNames: ['pair'],
      registers,
    }),
    marginRatio: new Gauge({
      name: 'market_maker_arb_margin_ratio',
      help: 'Maintenance margin / margin balance of a leg account: liquidation at 1',
      labelNames: legLabels,
      registers,
    }),
    liquidationDistance: new Gauge({
      name: 'market_maker_arb_liquidation_distance',
      help: '|mark - liquidation price| / mark of a perp leg, fraction (+Inf without one)',
      labelNames: legLabels,
      registers,
    }),
    hedgeSlippageBps: new Histogram({
      name: 'market_maker_arb_hedge_slippage_bps',
      help: 'Fill price against the decision price per leg order, basis points (positive = cost)',
      labelNames: legLabels,
      buckets: [-20, -10, -5, -2, 0, 2, 5, 10, 20, 50, 100, 250],
      registers,
    }),
    feedAge: new Gauge({
      name: 'market_maker_arb_feed_age_ms',
      help: 'Time since the last funding or price update of a leg, milliseconds',
      labelNames: ['pair', 'leg', 'feed'],
      registers,
    }),
    feedRetries: new Counter({
      name: 'market_maker_arb_feed_retries_total',
      help: 'Resubscriptions and snapshot retries of funding and price feeds',
      labelNames: ['venue', 'feed'],
      registers,
    }),
    pairState: new Gauge({
      name: 'market_maker_arb_pair_state',
      help: 'State of each arbitrage pair: 1 for the current state, 0 for the others',
      labelNames: ['pair', 'state'],
      registers,
    }),
    basisBps: new Gauge({
      name: 'market_maker_arb_basis_bps',
      help: 'Perp price over the other leg price, basis points',
      labelNames: ['pair'],
      registers,
    }),
    legImbalance: new Gauge({
      name: 'market_maker_arb_leg_imbalance',
      help: 'Net base position of the two legs (|a + b|), base units; 0 when hedged exactly',
      labelNames: ['pair'],
      registers,
    }),
    fundingCollected: new Gauge({
      name: 'market_maker_arb_funding_collected',
      help: 'Funding received by the perp legs over all settlements, quote units (signed: payments lower it)',
      labelNames: ['pair'],
      registers,
    }),
    compensations: new Counter({
      name: 'market_maker_arb_compensations_total',
      help: 'Compensation orders placed after a second leg failed or filled short',
      labelNames: ['pair'],
      registers,
    }),
  };
}

// -- FIGURES --

/**
 * The hedge ratio of two signed positions: |short| / |long|. Exactly 1 for a perfect hedge and
 * for a flat pair (nothing unhedged); 0 when only one leg is open or both point the same way.
 */
export function hedgeRatio(a: Decimal, b: Decimal): Decimal {
  if (a.isZero() && b.isZero()) return new Decimal(1);
  if (a.isZero() || b.isZero() || a.isNegative() === b.isNegative()) return ZERO;
  const long = a.isPositive() ? a : b;
  const short = a.isPositive() ? b : a;
  return short.abs().div(long);
}

/**
 * Margin ratio of an account: maintenance margin / margin balance (Binance's definition; the
 * venue liquidates at 1). Zero when nothing needs margin.
 */
export function marginRatio(account: Account): Decimal {
  if (account.totalMaintenanceMargin.isZero()) return ZERO;
  if (!account.totalMarginBalance.gt(0)) return new Decimal(Infinity);
  return account.totalMaintenanceMargin.div(account.totalMarginBalance);
}

/**
 * How far the mark price is from the liquidation price, as a fraction of the mark.
 * @returns the distance, or null when the position has no liquidation price
 */
export function liquidationDistance(position: Position): Decimal | null {
  if (position.liquidationPrice.isZero() || position.size.isZero() || !position.markPrice.gt(0)) {
    return null;
  }
  return position.markPrice.sub(position.liquidationPrice).abs().div(position.markPrice);
}

/**
 * Slippage of a fill against the price the decision was taken at, in basis points; positive is
 * a cost (bought above or sold below the reference).
 */
export function slippageBps(side: Side, reference: Decimal, average: Decimal): Decimal {
  const diff = side === 'BUY' ? average.sub(reference) : reference.sub(average);
  return diff.div(reference).mul(10_000);
}

// -- RECORDING --

/** One leg as a pair reports it to its metrics. */
export interface LegMetricsView {
  readonly market: LegMarket;
  /** Signed base position. */
  readonly position: Decimal;
  /** Last price of the leg (quote units); null when not known yet. */
  readonly price: Decimal | null;
  readonly fundingRate: Decimal;
  readonly intervalMs: number | null;
  readonly nextFundingTimeMs: number;
  readonly fundingAgeMs: number | null;
  readonly priceAgeMs: number | null;
}

/** What a pair reports to its metrics at each update. */
export interface PairMetricsView {
  readonly pairId: string;
  readonly legs: Readonly<Record<LegKey, LegMetricsView>>;
  /** Spread and APR of the held or best direction; null when a perp interval is unknown. */
  readonly spread: Decimal | null;
  readonly apr: Decimal | null;
  readonly netApr: Decimal | null;
}

/** Sets every gauge of one pair from its current view. */
export function recordPair(metrics: ArbitrageMetrics, view: PairMetricsView): void {
  const pair = view.pairId;
  let net = ZERO;
  let netQuote = ZERO;
  for (const leg of ['a', 'b'] as const) {
    const l = view.legs[leg];
    const labels = { pair, leg, role: l.market };
    net = net.add(l.position);
    metrics.exposureBase.set(labels, l.position.toNumber());
    if (l.price !== null) {
      const value = l.position.mul(l.price);
      netQuote = netQuote.add(value);
      metrics.exposureQuote.set(labels, value.toNumber());
    }
    metrics.fundingRate.set(labels, l.fundingRate.toNumber());
    if (l.market === 'perp') {
      if (l.intervalMs !== null) metrics.fundingIntervalSeconds.set(labels, l.intervalMs / 1000);
      if (l.nextFundingTimeMs > 0) metrics.nextFundingTime.set(labels, l.nextFundingTimeMs / 1000);
      if (l.fundingAgeMs !== null) {
        metrics.feedAge.set({ pair, leg, feed: 'funding' }, l.fundingAgeMs);
      }
    }
    if (l.priceAgeMs !== null) metrics.feedAge.set({ pair, leg, feed: 'price' }, l.priceAgeMs);
  }
  const netLabels = { pair, leg: 'net', role: 'net' } as const;
  metrics.exposureBase.set(netLabels, net.toNumber());
  metrics.exposureQuote.set(netLabels, netQuote.toNumber());
  metrics.hedgeRatio.set(
    { pair },
    hedgeRatio(view.legs.a.position, view.legs.b.position).toNumber(),
  );
  if (view.spread !== null) metrics.fundingSpread.set({ pair }, view.spread.toNumber());
  if (view.apr !== null) metrics.fundingApr.set({ pair }, view.apr.toNumber());
  if (view.netApr !== null) metrics.fundingNetApr.set({ pair }, view.netApr.toNumber());
}

/** Sets the margin ratio and liquidation distance of a perp leg from its venue account. */
export function recordPerpRisk(
  metrics: ArbitrageMetrics,
  pair: string,
  leg: LegKey,
  account: Account,
  position: Position | undefined,
): void {
  const labels = { pair, leg, role: 'perp' } as const;
  metrics.marginRatio.set(labels, marginRatio(account).toNumber());
  const distance = position === undefined ? null : liquidationDistance(position);
  metrics.liquidationDistance.set(labels, distance === null ? Infinity : distance.toNumber());
}

/** Observes the slippage of one executed leg order. */
export function recordSlippage(
  metrics: ArbitrageMetrics,
  pair: string,
  leg: LegKey,
  role: LegMarket,
  side: Side,
  reference: Decimal,
  average: Decimal,
): void {
  if (!reference.gt(0) || !average.gt(0)) return;
  metrics.hedgeSlippageBps.observe(
    { pair, leg, role },
    slippageBps(side, reference, average).toNumber(),
  );
}
