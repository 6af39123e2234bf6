/**
 * @module server/rpc/funding-scan
 * Which configured arbitrage pairs pay best now: each pair's legs as the funding monitor sees
 * them, the better direction's spread and APR (machines/arbitrage-spread), the entry economics
 * over the pair's expected hold (fees, slippage, borrow) and whether the pair's own entry rules
 * would enter now (machines/arbitrage-decision, as from flat). Pairs whose legs the monitor does
 * not watch yet, or whose funding interval is still unknown, cannot be priced and are left out.
 */
import { dec, type Decimal } from '../../core/decimal.js';
import { decideArbitrage, entryEconomics } from '../../machines/arbitrage-decision.js';
import { bestSpread } from '../../machines/arbitrage-spread.js';
import { thresholdsOf, type ArbitragePairConfig } from '../../actors/arbitrage/arbitrage.config.js';
import type { FundingMonitor } from '../../actors/arbitrage/funding-monitor.js';
import type { FundingOpportunity, FundingScanPort } from './rpc.ports.js';

/** The funding monitor's read side the scan needs. */
export type FundingReader = Pick<FundingMonitor, 'legView' | 'snapshot'>;

/**
 * The scan over `pairs()` (read on every call: pairs come and go at runtime).
 * @param monitor - the engine's funding monitor
 * @param pairs - the configured pairs now
 */
export function fundingScan(
  monitor: FundingReader,
  pairs: () => readonly ArbitragePairConfig[],
): FundingScanPort {
  return {
    opportunities: (nowMs) =>
      pairs()
        .flatMap((pair) => {
          const opportunity = price(monitor, pair, nowMs);
          return opportunity ? [opportunity] : [];
        })
        .sort((a, b) => b.netApr.comparedTo(a.netApr)),
  };
}

function price(
  monitor: FundingReader,
  pair: ArbitragePairConfig,
  nowMs: number,
): FundingOpportunity | null {
  const staleness = { fundingStaleMs: pair.fundingStaleMs, priceStaleMs: pair.priceStaleMs };
  let legs;
  let prices;
  try {
    legs = {
      a: monitor.legView(pair.legs.a, staleness, nowMs),
      b: monitor.legView(pair.legs.b, staleness, nowMs),
    };
    prices = { a: monitor.snapshot(pair.legs.a).price, b: monitor.snapshot(pair.legs.b).price };
  } catch {
    // A leg the monitor does not watch (the pair is starting or stopping): nothing to price
    return null;
  }
  const spread = bestSpread(legs);
  if (!spread) return null;
  const thresholds = thresholdsOf(pair);
  const economics = entryEconomics(spread, legs, thresholds);
  const flat = { state: 'flat', long: null, enteredAtMs: null, exitedAtMs: null } as const;
  const decision = decideArbitrage(legs, flat, thresholds, nowMs);
  const quantity = dec(pair.quantity);
  const longPrice = prices[spread.long];
  const leg = (key: 'a' | 'b') => ({
    venue: pair.legs[key].venue,
    market: pair.legs[key].market,
    symbol: pair.legs[key].symbol,
  });
  return {
    pairId: pair.pairId,
    long: leg(spread.long),
    short: leg(spread.short),
    spread: spread.spread,
    apr: spread.apr,
    netApr: economics.netApr,
    basis: basis(pair, prices),
    quantity,
    notional: longPrice ? quantity.mul(longPrice) : null,
    entry: decision.action === 'enter',
    atMs: nowMs,
  };
}

/** (perp − spot) ÷ spot; between two perps, (b − a) ÷ a. Null without both prices. */
function basis(
  pair: ArbitragePairConfig,
  prices: { readonly a: Decimal | null; readonly b: Decimal | null },
): Decimal | null {
  const { a, b } = prices;
  if (!a || !b || !a.gt(0) || !b.gt(0)) return null;
  const aIsSpot = pair.legs.a.market === 'spot';
  const [reference, other] = aIsSpot || pair.legs.b.market !== 'spot' ? [a, b] : [b, a];
  return other.sub(reference).div(reference);
}
