/**
 * @module actors/arbitrage/pair-guards
 * The guards of an arbitrage pair as pure functions of what the pair sees, each answering with
 * the trading-state event to send (the risk layer's machine, scope = pair), or null:
 * - feeds: a stale or missing funding or price feed places a `reduce` hold (no entries, exits go
 *   on), lifted once the feeds are fresh again (REQ-ARB-002);
 * - imbalance: a pair left unhedged, or whose exit executes nothing, after its retries is halted,
 *   latched until an operator resumes it;
 * - liquidation: a perp leg closer to liquidation than the minimum distance places a `flatten`
 *   hold: the pair exits at once.
 */
import { dec, type Decimal } from '../../core/decimal.js';
import type { Position } from '../../core/exchange.types.js';
import type { ArbitrageDecision } from '../../machines/arbitrage-decision.js';
import type { LegKey } from '../../machines/arbitrage-pair.js';
import type { Hold, TradingStateEvent } from '../../machines/trading-state.machine.js';

const FEEDS = 'guard:feeds';

/** The hold change the feeds guard wants after `decision`, or null when none. */
export function feedHoldChange(
  decision: ArbitrageDecision,
  holds: Readonly<Record<string, Hold>>,
  nowMs: number,
): TradingStateEvent | null {
  const stale =
    decision.action === 'hold' &&
    (decision.reason === 'FEED_STALE' || decision.reason === 'FEED_MISSING');
  if (stale && !holds[FEEDS]) {
    const what = decision.reason === 'FEED_STALE' ? 'stale' : 'missing';
    const reason = `a leg's funding or price feed is ${what}: no entries`;
    return { type: 'hold.set', source: FEEDS, level: 'reduce', reason, atMs: nowMs };
  }
  if (!stale && holds[FEEDS]) return { type: 'hold.clear', source: FEEDS, atMs: nowMs };
  return null;
}

/** The latched halt of a pair whose retries ran out. */
export function imbalanceHalt(retries: number, unhedged: boolean, nowMs: number) {
  const reason = unhedged
    ? `legs unhedged after ${retries} retries: halted, repair by hand and resume`
    : `exit failed ${retries} times: halted with the position held`;
  const event: TradingStateEvent = {
    type: 'hold.set',
    source: 'guard:imbalance',
    level: 'halt',
    reason,
    atMs: nowMs,
    latched: true,
  };
  return { reason, event };
}

/**
 * How far a perp position is from liquidation, and the flatten hold when too close.
 * @returns null when the position has no liquidation price (flat, or the venue gives none)
 */
export function liquidationGuard(
  leg: LegKey,
  position: Position | undefined,
  minDistance: string,
  nowMs: number,
): { distance: Decimal; reason: string | null; event: TradingStateEvent | null } | null {
  if (!position || position.size.isZero() || position.liquidationPrice.isZero()) return null;
  if (!position.markPrice.gt(0)) return null;
  const distance = position.markPrice.sub(position.liquidationPrice).abs().div(position.markPrice);
  if (distance.gte(minDistance)) return { distance, reason: null, event: null };
  const reason = `leg ${leg} is ${distance.mul(100).toFixed(2)} % from liquidation (minimum ${dec(minDistance).mul(100).toFixed()} %): emergency exit`;
  const event: TradingStateEvent = {
    type: 'hold.set',
    source: 'guard:liquidation',
    level: 'flatten',
    reason,
    atMs: nowMs,
  };
  return { distance, reason, event };
}
