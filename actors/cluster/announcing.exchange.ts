/**
 * @module actors/cluster/announcing.exchange
 * The venue port as an engine under scale-out uses it: reading a symbol's open orders runs under
 * the symbol's lease, so the exchange client stamps the read and the connector learns the new
 * owner's token when it reconciles, before it trades (connector/fence-guard). Every other call
 * is the port's own; order changes are stamped by the order workflows' fence.
 */
import type { Exchange } from '../../core/exchange.port.js';
import { withFence, type FenceStamp } from '../../core/fence.js';

/** `exchange` with its open-order reads stamped by `stampOf` (undefined: not held, unstamped). */
export function announcingExchange(
  exchange: Exchange,
  stampOf: (symbol: string) => FenceStamp | undefined,
): Exchange {
  return new Proxy(exchange, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (key !== 'getOpenOrders' || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (symbol: string, ...rest: unknown[]) => {
        const read = () => (value as (...a: unknown[]) => unknown).call(target, symbol, ...rest);
        const stamp = stampOf(symbol);
        return stamp ? withFence(stamp, read) : read();
      };
    },
  });
}
