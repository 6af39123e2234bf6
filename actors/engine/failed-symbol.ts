/**
 * @module actors/engine/failed-symbol
 * The failure policy for the orders of a symbol the engine gives up on (`failed`): they are
 * cancelled, because nobody would manage them (a resting order of a dead grid fills into a
 * position no slot knows about). The venue is swept, with backoff, for as long as the symbol
 * stays failed and the rounds last; what the venue will not let go is reported as unmanaged, for
 * an operator: an error log tagged `alert: unmanaged_orders`, the gauge
 * `market_maker_unmanaged_orders{symbol}` and the symbol's `cleanup` in /status. The position the
 * symbol holds stays on the venue (closing it is a trading decision) and is reported with it.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { EngineMetrics } from './engine.metrics.js';
import type { SupervisionPolicy } from './supervision.js';
import type { SymbolSupervisor } from './symbol.supervisor.js';
import { sweepOrders } from './venue-sweep.js';

/** Sweep rounds for a failed symbol; with the default backoff about two minutes. */
const FAILED_SWEEP_ROUNDS = 30;

/** What the cleanup uses. */
export interface FailedSymbolDeps {
  readonly exchange: Exchange;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
  /** This engine's client order id namespace: only its own orders are cancelled. */
  readonly namespace: string;
  /** Waits between rounds (real time). */
  readonly clock: Clock;
  /** The supervision backoff, reused between rounds (capped at 5 s). */
  readonly backoff: Pick<SupervisionPolicy, 'initialBackoffMs' | 'maxBackoffMs'>;
  /** False once the symbol was re-activated or removed: the cleanup stops. */
  readonly stillFailed: () => boolean;
}

/**
 * Cancels the orders of a failed symbol, or reports them as unmanaged.
 * @param supervisor - the failed symbol's supervisor (its /status shows the outcome)
 * @param deps - venue, logging, metrics and bounds
 */
export async function cancelOrdersOfFailed(
  supervisor: SymbolSupervisor,
  deps: FailedSymbolDeps,
): Promise<void> {
  const { exchange, log, metrics, backoff } = deps;
  const symbol = supervisor.symbol;
  const position = supervisor.lastPosition;
  supervisor.recordCleanup({
    state: 'cancelling',
    remaining: [],
    message: 'cancelling the orders of the failed symbol',
  });
  const result = await sweepOrders(
    exchange,
    symbol,
    {
      rounds: FAILED_SWEEP_ROUNDS,
      initialBackoffMs: backoff.initialBackoffMs,
      maxBackoffMs: Math.min(backoff.maxBackoffMs, 5_000),
      proceed: deps.stillFailed,
    },
    { clock: deps.clock, log, namespace: deps.namespace },
  );
  if (!deps.stillFailed()) return;
  if (result.clean) {
    metrics.unmanagedOrders.set({ symbol }, 0);
    const message =
      `cancelled ${result.cancelled} orders of the failed symbol; ` +
      'any position it holds stays on the venue';
    supervisor.recordCleanup({ state: 'cancelled', remaining: [], message });
    log.warn({ symbol, cancelled: result.cancelled, position }, message);
    return;
  }
  metrics.unmanagedOrders.set({ symbol }, result.remaining.length);
  const message =
    `${result.remaining.length} orders of the failed symbol may still be open on the venue ` +
    `and nobody manages them${result.error ? ` (venue: ${result.error})` : ''}: cancel them ` +
    `on the venue, or POST /symbols to trade the symbol again, or DELETE /symbols/${symbol}`;
  supervisor.recordCleanup({ state: 'unmanaged', remaining: result.remaining, message });
  log.error({ symbol, remaining: result.remaining, position, alert: 'unmanaged_orders' }, message);
}
