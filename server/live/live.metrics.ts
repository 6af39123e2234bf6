/**
 * @module server/live/live.metrics
 * The live-server's Prometheus metrics, on a registry of their own: connected dashboard clients,
 * how long a broadcast takes to reach every client's socket, clients cut for reading too slowly,
 * and the state of the one upstream feed. Labels are bounded (the three feed states only).
 * Served at the configured endpoint (default `/metrics`) of the live-server itself.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { UpstreamState } from './messages.js';

/** The feed states, each with its own 0/1 series. */
export const UPSTREAM_STATES: readonly UpstreamState[] = ['connecting', 'live', 'reconnecting'];

/** What the scrape-time gauges read; the running server provides it. */
export interface LiveProbe {
  /** Connected clients. */
  clients(): number;
  /** Clients disconnected as too slow since start. */
  slowDisconnects(): number;
  /** The upstream feed's state now. */
  upstream(): UpstreamState;
}

/** Every metric the live-server exports. */
export interface LiveMetrics {
  readonly registry: Registry;
  /** Sets where the scrape-time series read their values. */
  observe(probe: LiveProbe): void;
  /**
   * Runs one broadcast and records its duration and size.
   * @param messages - how many messages it carries
   * @param broadcast - the fan-out itself (synchronous: it hands bytes to every socket)
   */
  timeBroadcast(messages: number, broadcast: () => void): void;
}

/**
 * Creates the metrics on a fresh registry.
 * @param now - a monotonic millisecond clock (tests inject one)
 * @returns the metrics; serve `registry.metrics()` on /metrics
 */
export function createLiveMetrics(now: () => number = () => performance.now()): LiveMetrics {
  const registry = new Registry();
  const registers = [registry];
  let probe: LiveProbe | undefined;
  let slowSeen = 0;
  new Gauge({
    name: 'live_server_clients',
    help: 'Connected dashboard WebSocket clients',
    registers,
    collect() {
      this.set(probe?.clients() ?? 0);
    },
  });
  new Counter({
    name: 'live_server_clients_cut_slow_total',
    help: 'Dashboard clients disconnected because they read slower than the data arrives',
    registers,
    collect() {
      const total = probe?.slowDisconnects() ?? slowSeen;
      if (total > slowSeen) this.inc(total - slowSeen);
      slowSeen = total;
    },
  });
  new Gauge({
    name: 'live_server_upstream_state',
    help: '1 for the state the venue feed is in (connecting, live, reconnecting), 0 for others',
    labelNames: ['state'],
    registers,
    collect() {
      const current = probe?.upstream();
      for (const state of UPSTREAM_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
  const duration = new Histogram({
    name: 'live_server_broadcast_duration_ms',
    help: 'Time to hand one batch of updates to every client socket, milliseconds',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
    registers,
  });
  const broadcasts = new Counter({
    name: 'live_server_messages_broadcast_total',
    help: 'Messages broadcast to dashboard clients',
    registers,
  });
  return {
    registry,
    observe: (p) => {
      probe = p;
    },
    timeBroadcast: (messages, broadcast) => {
      const started = now();
      try {
        broadcast();
      } finally {
        duration.observe(now() - started);
        broadcasts.inc(messages);
      }
    },
  };
}
