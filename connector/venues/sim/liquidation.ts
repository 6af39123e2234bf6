/**
 * @module connector/venues/sim/liquidation
 * Cross-margin liquidation of the simulated futures account: when margin balance falls below
 * maintenance margin, every open order is canceled and every position is closed at the mark
 * price by a venue-made reduce-only MARKET order (client id "sim-liquidation-<orderId>", taker
 * fee). A negative wallet left behind is absorbed by the (simulated) insurance fund.
 */
import { ZERO } from '../../../core/decimal.js';
import type { FuturesLedger } from './futures-ledger.js';
import { newOrderRecord } from './order-record.js';
import type { TradingCore } from './trading-core.js';

/**
 * Liquidates the account if it is below maintenance margin.
 * @returns true when positions were liquidated
 */
export function liquidateIfBelowMaintenance(core: TradingCore, ledger: FuturesLedger): boolean {
  if (!ledger.belowMaintenance()) return false;
  const nowMs = core.deps.clock.now();
  core.cancelEverySymbol(false);
  const symbols = ledger.openSymbols();
  for (const symbol of symbols) {
    const size = ledger.positionSize(symbol);
    const market = core.market(symbol);
    const orderId = core.deps.ids.nextOrderId();
    const order = newOrderRecord({
      orderId,
      clientOrderId: `sim-liquidation-${orderId}`,
      symbol,
      side: size.isNegative() ? 'BUY' : 'SELL',
      type: 'MARKET',
      timeInForce: 'IOC',
      price: ZERO,
      priceTicks: Number.NaN,
      quantity: size.abs(),
      reduceOnly: true,
      postOnly: false,
      useMargin: false,
      nowMs,
    });
    core.register(order, market);
    core.fill(order, market, market.mid.price, size.abs(), false);
  }
  ledger.floorWalletAtZero();
  core.emitAccount();
  for (const symbol of symbols) core.emitPosition(symbol);
  return true;
}
