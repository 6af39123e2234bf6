/**
 * @module connector/instrumented.exchange
 * A venue port decorator that measures what the connector asks of a venue: the latency and the
 * failures (by port reason) of every call, per method class; the updates, reconnects (the venue
 * stream told its sinks to resync) and error ends of every stream; and, for venues that report
 * it, the used share of their request budget. It sits directly on the adapter, inside
 * `withResilience`, so every attempt of a retried call is measured as the venue saw it.
 */
import { toExchangeError } from '../core/errors.js';
import type { Exchange } from '../core/exchange.port.js';
import type { StreamSink } from '../core/stream.js';
import {
  METHOD_CLASS,
  STREAM_OF,
  type ConnectorMetrics,
  type PortMethod,
  type RateLimitReporter,
} from './connector.metrics.js';

/**
 * Wraps `inner` so its calls and streams are counted in `metrics` under its name.
 * @param inner - the venue adapter
 * @param metrics - the connector's metrics
 * @param now - a monotonic millisecond clock (tests inject one)
 * @returns the same port, measured
 */
export function instrumentVenue(
  inner: Exchange,
  metrics: ConnectorMetrics,
  now: () => number = () => performance.now(),
): Exchange {
  const venue = inner.name;
  const reporter = isRateLimitReporter(inner) ? inner : undefined;
  const wrapped = new Map<PropertyKey, unknown>();

  const unary = (method: PortMethod) => {
    const labels = { venue, method_class: METHOD_CLASS[method] };
    const call = (inner[method] as (...args: unknown[]) => Promise<unknown>).bind(inner);
    return async (...args: unknown[]): Promise<unknown> => {
      const started = now();
      try {
        return await call(...args);
      } catch (e) {
        metrics.requestErrors.inc({ ...labels, reason: toExchangeError(e).reason });
        throw e;
      } finally {
        metrics.requestDuration.observe(labels, now() - started);
        const used = reporter?.rateLimitUsage();
        if (used !== undefined) metrics.rateLimitUsed.set({ venue }, used);
      }
    };
  };

  const stream = (method: keyof typeof STREAM_OF) => {
    const labels = { venue, stream: STREAM_OF[method] };
    const subscribe = (inner[method] as (...args: unknown[]) => unknown).bind(inner);
    return (...args: unknown[]): unknown => {
      // The sink is always the last argument of a subscribe method
      const sink = args[args.length - 1] as StreamSink<unknown>;
      const counted: StreamSink<unknown> = {
        next: (value) => {
          metrics.upstreamMessages.inc(labels);
          sink.next(value);
        },
        error: (e) => {
          metrics.upstreamErrors.inc({ ...labels, reason: e.reason });
          sink.error(e);
        },
        resync: () => {
          metrics.upstreamReconnects.inc(labels);
          sink.resync?.();
        },
      };
      return subscribe(...args.slice(0, -1), counted);
    };
  };

  return new Proxy(inner, {
    get(target, property, receiver) {
      const cached = wrapped.get(property);
      if (cached !== undefined) return cached;
      let value: unknown;
      if (typeof property === 'string' && Object.hasOwn(METHOD_CLASS, property)) {
        value = unary(property as PortMethod);
      } else if (typeof property === 'string' && Object.hasOwn(STREAM_OF, property)) {
        value = stream(property as keyof typeof STREAM_OF);
      } else {
        const own: unknown = Reflect.get(target, property, receiver);
        return typeof own === 'function' ? own.bind(target) : own;
      }
      wrapped.set(property, value);
      return value;
    },
  });
}

function isRateLimitReporter(venue: Exchange): venue is Exchange & RateLimitReporter {
  return typeof (venue as Partial<RateLimitReporter>).rateLimitUsage === 'function';
}
