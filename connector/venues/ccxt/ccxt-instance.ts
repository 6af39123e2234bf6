/**
 * @module connector/venues/ccxt/ccxt-instance
 * Two hooks on a ccxt instance that ccxt offers no option for (checked in ccxt 4.5.84):
 * - ccxt's `parseOrders` drops failed batch items (they parse without a symbol) and sorts the
 *   rest by time, so a batch reply cannot be matched to its requests. The hook keeps the raw
 *   reply on the parsed array, so item i of the venue's reply answers request i.
 * - ccxt schedules the Binance listenKey keep-alive with a bare 20-minute `setTimeout` that
 *   `close()` never clears, which would keep a stopped process alive. The hook tracks those
 *   timers so closing the venue clears them.
 */
import type { Exchange as CcxtExchange } from 'ccxt';

const RAW = Symbol('ccxt raw reply');

type ParseOrders = CcxtExchange['parseOrders'];
type Delay = (timeout: number, method: unknown, ...args: unknown[]) => void;

export interface InstanceHooks {
  /** The venue's raw items behind an array ccxt's parseOrders returned, if ccxt passed it on. */
  rawReplyOf(parsed: unknown): readonly unknown[] | undefined;
  /** Clears every timer ccxt scheduled through `delay`. */
  clearTimers(): void;
}

/** Installs the hooks on `ex` (once, at construction). */
export function instrument(ex: CcxtExchange): InstanceHooks {
  const parseOrders = ex.parseOrders.bind(ex);
  ex.parseOrders = ((orders: unknown, ...rest: unknown[]) => {
    const parsed = (parseOrders as (...a: unknown[]) => unknown[])(orders, ...rest);
    if (Array.isArray(orders)) Object.defineProperty(parsed, RAW, { value: orders });
    return parsed;
  }) as ParseOrders;

  const timers = new Set<NodeJS.Timeout>();
  const spawn = (ex as unknown as { spawn: (m: unknown, ...a: unknown[]) => void }).spawn.bind(ex);
  (ex as unknown as { delay: Delay }).delay = (timeout, method, ...args) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      spawn(method, ...args);
    }, timeout);
    timers.add(timer);
  };

  return {
    rawReplyOf: (parsed) =>
      Array.isArray(parsed) ? (parsed as unknown as { [RAW]?: unknown[] })[RAW] : undefined,
    clearTimers: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
