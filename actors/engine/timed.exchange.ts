/**
 * @module actors/engine/timed.exchange
 * A venue port decorator that records the latency of every request/response call in
 * `market_maker_latency_exchange_ms{exchange, operation}`. The operation label is the port
 * method name, a fixed set, so the series stay few. Streams and local calls pass through.
 */
import { performance } from 'node:perf_hooks';

import type { Exchange } from '../../core/exchange.port.js';
import type { EngineMetrics } from './engine.metrics.js';

/** Port methods that never reach the venue, or stay open: nothing to time. */
const UNTIMED: ReadonlySet<string> = new Set(['isReachable', 'close']);

/**
 * Wraps `exchange` so each venue call observes its duration.
 * @param exchange - the venue port to time
 * @param metrics - where the histogram lives
 * @param onLatency - also told of each answered call's latency, with the symbol the call named
 *   (the risk layer's latency breaker)
 * @returns a port that behaves exactly like `exchange`
 */
export function timedExchange(
  exchange: Exchange,
  metrics: EngineMetrics,
  onLatency?: (symbol: string | null, latencyMs: number) => void,
): Exchange {
  const timed = new Map<string | symbol, unknown>();
  return new Proxy(exchange, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const name = String(property);
      if (UNTIMED.has(name) || name.startsWith('subscribe')) return value.bind(target);
      let wrapped = timed.get(property);
      if (!wrapped) {
        const fn = value as (...args: unknown[]) => Promise<unknown>;
        const labels = { exchange: target.name, operation: name };
        wrapped = async (...args: unknown[]) => {
          const started = performance.now();
          let answered = false;
          try {
            const result = await fn.apply(target, args);
            answered = true;
            return result;
          } finally {
            const latencyMs = performance.now() - started;
            metrics.exchangeLatency.observe(labels, latencyMs);
            // A call that failed says nothing of how fast the venue answers (an outage is
            // supervision's business), so only answered calls feed the latency breaker
            if (answered) onLatency?.(typeof args[0] === 'string' ? args[0] : null, latencyMs);
          }
        };
        timed.set(property, wrapped);
      }
      return wrapped;
    },
  });
}
