/**
 * @module actors/arbitrage/pair-decision
 * One pair's decision from live inputs: both legs' funding and feed freshness from the funding
 * monitor, the position from the position machine's snapshot, the thresholds from the pair's
 * config. The pair actor calls `decidePair` on every monitor update of its legs and sends the
 * machine `enterEvent(...)` or `{ type: 'arb.exit' }` when the decision says so.
 */
import type { SnapshotFrom } from 'xstate';

import {
  decideArbitrage,
  type ArbitrageDecision,
  type PositionView,
} from '../../machines/arbitrage-decision.js';
import type {
  ArbitrageControlEvent,
  arbitragePositionMachine,
} from '../../machines/arbitrage-position.machine.js';
import { thresholdsOf, type ArbitragePairConfig } from './arbitrage.config.js';
import type { FundingMonitor } from './funding-monitor.js';

type PositionSnapshot = SnapshotFrom<typeof arbitragePositionMachine>;

/**
 * The position as the decision reads it. A pair with an order in flight, a repair or a pending
 * exit is `busy`: those paths own the pair until it rests again.
 * @param exitedAtMs - when the pair last went flat (epoch ms; the actor records it), null if never
 */
export function positionView(snapshot: PositionSnapshot, exitedAtMs: number | null): PositionView {
  const { longLeg, enteredAtMs, targetSize } = snapshot.context;
  if (snapshot.matches('flat')) return { state: 'flat', long: null, enteredAtMs: null, exitedAtMs };
  if (snapshot.matches('hedged') && targetSize === null) {
    return { state: 'hedged', long: longLeg, enteredAtMs, exitedAtMs };
  }
  return { state: 'busy', long: longLeg, enteredAtMs, exitedAtMs };
}

/**
 * Decides what the pair should do now.
 * @throws {Error} when a leg is not watched by the monitor
 */
export function decidePair(
  monitor: FundingMonitor,
  config: ArbitragePairConfig,
  position: PositionView,
  nowMs: number,
): ArbitrageDecision {
  const staleness = { fundingStaleMs: config.fundingStaleMs, priceStaleMs: config.priceStaleMs };
  const legs = {
    a: monitor.legView(config.legs.a, staleness, nowMs),
    b: monitor.legView(config.legs.b, staleness, nowMs),
  };
  return decideArbitrage(legs, position, thresholdsOf(config), nowMs);
}

/** The machine event for an entry decision, sized by the pair's configured quantity. */
export function enterEvent(
  decision: Extract<ArbitrageDecision, { action: 'enter' }>,
  config: ArbitragePairConfig,
  nowMs: number,
): ArbitrageControlEvent {
  return {
    type: 'arb.enter',
    long: decision.long,
    quantity: config.quantity,
    nextFundingTimeMs: decision.nextFundingTimeMs,
    atMs: nowMs,
  };
}
