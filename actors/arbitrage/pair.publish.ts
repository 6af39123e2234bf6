/**
 * @module actors/arbitrage/pair.publish
 * One pair's figures, computed once from what its actor holds and shown two ways: the view
 * /status and GET /arbitrage serve, and the pair's gauges (legs, hedge ratio, spread, APR,
 * basis, imbalance, funding collected, state).
 */
import type { SnapshotFrom } from 'xstate';

import { dec, toPlain, ZERO, type Decimal } from '../../core/decimal.js';
import type { ArbitrageDecision } from '../../machines/arbitrage-decision.js';
import { LEG_KEYS, type LegKey } from '../../machines/arbitrage-pair.js';
import type { arbitragePositionMachine } from '../../machines/arbitrage-position.machine.js';
import type { TradingStateContext } from '../../machines/trading-state.machine.js';
import type { ArbitragePairConfig } from './arbitrage.config.js';
import { hedgeRatio, PAIR_STATES, recordPair, type ArbitrageMetrics } from './arbitrage.metrics.js';
import { feedProblem, type FundingMonitor } from './funding-monitor.js';
import { netPnl } from './pair-ledger.js';
import type { PairLegView, PairState, PairView } from './pair.state.js';

/** What a pair's figures are computed from. */
export interface PairFigures {
  readonly config: ArbitragePairConfig;
  readonly position: SnapshotFrom<typeof arbitragePositionMachine>;
  readonly trading: TradingStateContext;
  readonly monitor: FundingMonitor;
  readonly decision: ArbitrageDecision | null;
  readonly state: PairState;
  readonly busy: boolean;
  readonly nowMs: number;
}

/** The position machine's state as one dotted string: `entering.hedging`, `hedged`, ... */
export function positionStateOf(position: PairFigures['position']): string {
  const flatten = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : Object.entries(value as Record<string, unknown>)
          .map(([k, v]) => `${k}.${flatten(v)}`)
          .join('');
  return flatten(position.value);
}

/** The pair's view for /status and GET /arbitrage. */
export function pairViewOf(f: PairFigures): PairView {
  const legs = LEG_KEYS.map((key) => legView(f, key));
  const positions = { a: dec(legs[0]?.position ?? '0'), b: dec(legs[1]?.position ?? '0') };
  const prices = pricesOf(legs);
  const spread = f.decision?.spread ?? null;
  const pnl = netPnl(f.state.ledger, positions, prices);
  return {
    position: positionStateOf(f.position),
    trading: f.trading.state,
    tradingReason: f.trading.state === 'ACTIVE' ? null : f.trading.reason,
    legs,
    hedgeRatio: toPlain(hedgeRatio(positions.a, positions.b)),
    spread: spread === null ? null : toPlain(spread.spread),
    apr: spread === null ? null : toPlain(spread.apr),
    decision:
      f.decision === null
        ? null
        : { action: f.decision.action, reason: 'reason' in f.decision ? f.decision.reason : null },
    fundingReceived: f.state.ledger.funding,
    settlements: f.state.ledger.settlements,
    fees: f.state.ledger.fees,
    netPnl: pnl === null ? null : toPlain(pnl),
    cycle: f.state.cycle,
    busy: f.busy,
  };
}

/** Sets the pair's gauges. */
export function publishPair(metrics: ArbitrageMetrics, f: PairFigures): void {
  const pair = f.config.pairId;
  const view = pairViewOf(f);
  const snapshots = { a: legSnapshot(f, 'a'), b: legSnapshot(f, 'b') };
  const positions = {
    a: dec(view.legs[0]?.position ?? '0'),
    b: dec(view.legs[1]?.position ?? '0'),
  };
  recordPair(metrics, {
    pairId: pair,
    legs: {
      a: { market: f.config.legs.a.market, position: positions.a, ...snapshots.a },
      b: { market: f.config.legs.b.market, position: positions.b, ...snapshots.b },
    },
    spread: f.decision?.spread ? f.decision.spread.spread : null,
    apr: f.decision?.spread ? f.decision.spread.apr : null,
    netApr: f.decision?.action === 'enter' ? f.decision.economics.netApr : null,
  });
  const current = stateLabel(view);
  for (const state of PAIR_STATES)
    metrics.pairState.set({ pair, state }, state === current ? 1 : 0);
  metrics.legImbalance.set({ pair }, positions.a.add(positions.b).abs().toNumber());
  metrics.fundingCollected.set({ pair }, dec(f.state.ledger.funding).toNumber());
  const basis = basisBps(f.config, pricesOf(view.legs));
  if (basis !== null) metrics.basisBps.set({ pair }, basis.toNumber());
}

function stateLabel(view: PairView): (typeof PAIR_STATES)[number] {
  if (view.trading === 'HALTED') return 'halted';
  const top = view.position.split('.')[0] ?? 'flat';
  return (PAIR_STATES as readonly string[]).includes(top)
    ? (top as (typeof PAIR_STATES)[number])
    : 'hedged';
}

/** Perp over the other leg (b over a for two perps), basis points; null without both prices. */
function basisBps(
  config: ArbitragePairConfig,
  prices: Record<LegKey, Decimal | null>,
): Decimal | null {
  const perp: LegKey = config.legs.b.market === 'perp' ? 'b' : 'a';
  const other: LegKey = perp === 'b' ? 'a' : 'b';
  const p = prices[perp];
  const o = prices[other];
  if (p === null || o === null || !o.gt(0)) return null;
  return p.sub(o).div(o).mul(10_000);
}

function pricesOf(legs: readonly PairLegView[]): Record<LegKey, Decimal | null> {
  const price = (i: number) => {
    const p = legs[i]?.price;
    return p === null || p === undefined ? null : dec(p);
  };
  return { a: price(0), b: price(1) };
}

function legSnapshot(f: PairFigures, key: LegKey) {
  const s = safeSnapshot(f, key);
  return {
    price: s?.price ?? null,
    fundingRate: s?.rate ?? ZERO,
    intervalMs: s?.intervalMs ?? null,
    nextFundingTimeMs: s?.nextFundingTimeMs ?? 0,
    fundingAgeMs: s?.fundingAtMs == null ? null : f.nowMs - s.fundingAtMs,
    priceAgeMs: s?.priceAtMs == null ? null : f.nowMs - s.priceAtMs,
  };
}

function legView(f: PairFigures, key: LegKey): PairLegView {
  const leg = f.config.legs[key];
  const s = safeSnapshot(f, key);
  const staleness = {
    fundingStaleMs: f.config.fundingStaleMs,
    priceStaleMs: f.config.priceStaleMs,
  };
  return {
    leg: key,
    venue: leg.venue,
    market: leg.market,
    symbol: leg.symbol,
    position: f.position.context.legs[key].position,
    price: s?.price ? toPlain(s.price) : null,
    fundingRate: s ? toPlain(s.rate) : '0',
    nextFundingTimeMs: s?.nextFundingTimeMs ?? 0,
    fundingIntervalMs: s?.intervalMs ?? null,
    feedProblem: s ? feedProblem(leg.market, s, staleness, f.nowMs) : 'FEED_MISSING',
  };
}

/** The monitor's snapshot of a leg; null while the leg is not watched (actor not started). */
function safeSnapshot(f: PairFigures, key: LegKey) {
  const leg = f.config.legs[key];
  return f.monitor.isWatched(leg) ? f.monitor.snapshot(leg) : null;
}
