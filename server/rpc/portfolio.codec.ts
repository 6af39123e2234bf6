/**
 * @module server/rpc/portfolio.codec
 * PortfolioService messages from domain values and back. A leg's exchange is written
 * `venue/market` (e.g. `sim/spot`, `sim-perp2/perp`) because one venue may carry both legs of a
 * pair. `TargetPosition.notional` is signed (positive long, negative short) and its weight is the
 * pair's share of the net APR of every pair that would enter now. `PortfolioOpportunity.metrics`
 * (funding SMAs, stability, open-interest factor) stays unset: the engine keeps no funding history
 * to compute them from, and a zero would be a lie. Its `timestamp` is epoch ms.
 */
import { dec, type Decimal } from '../../core/decimal.js';
import { invalidArgument } from '../../core/errors.js';
import type {
  PortfolioOpportunity as PortfolioOpportunityProto,
  RiskProfile as RiskProfileProto,
  SimulateMarginRequest as SimulateMarginRequestProto,
  SimulateMarginResponse as SimulateMarginResponseProto,
  TargetPosition as TargetPositionProto,
} from '../../proto/gen/opensqt/market_maker/v1/portfolio.js';
import {
  fromProtoOptionalDecimal,
  toProtoDecimal,
  toProtoMs,
  toProtoOptionalDecimal,
} from '../../connector/codec.js';
import { requireSymbol } from '../../connector/request-validation.js';
import type { MarginProfile, MarginProjection } from './margin-math.js';
import { RPC_LIMITS } from './request-checks.js';
import type { FundingOpportunity } from './rpc.ports.js';

const places = (d: Decimal) => toProtoDecimal(d.toDecimalPlaces(8));

export function toProtoRiskProfile(profile: MarginProfile): RiskProfileProto {
  return {
    adjustedEquity: toProtoDecimal(profile.adjustedEquity),
    totalMaintenanceMargin: toProtoDecimal(profile.maintenanceMargin),
    availableHeadroom: toProtoDecimal(profile.headroom),
    healthScore: places(profile.health),
    isUnified: profile.unified,
  };
}

/**
 * The proposals of a SimulateMargin: signed base-unit changes per symbol.
 * @throws {ExchangeError} INVALID_ARGUMENT naming `proposals` or `proposals[SYMBOL]`
 */
export function fromProtoProposals(
  request: SimulateMarginRequestProto,
): { readonly symbol: string; readonly delta: Decimal }[] {
  const entries = Object.entries(request.proposals);
  if (entries.length === 0) {
    throw invalidArgument(
      'proposals',
      'is empty: map each symbol to a signed change in base units, e.g. {"BTCUSDT": "0.5"}',
    );
  }
  if (entries.length > RPC_LIMITS.proposals) {
    throw invalidArgument(
      'proposals',
      `${entries.length} symbols; at most ${RPC_LIMITS.proposals}`,
    );
  }
  return entries.map(([symbol, value]) => {
    requireSymbol(symbol, 'proposals');
    const field = `proposals[${symbol}]`;
    const delta = fromProtoOptionalDecimal(value, field);
    if (delta === undefined || delta.isZero()) {
      throw invalidArgument(field, 'must be a non-zero signed change in base units, e.g. "-0.25"');
    }
    return { symbol, delta };
  });
}

export function toProtoProjection(projection: MarginProjection): SimulateMarginResponseProto {
  return { projectedHealthScore: places(projection.health), wouldLiquidate: projection.liquidates };
}

const exchangeOf = (leg: FundingOpportunity['long']) => `${leg.venue}/${leg.market}`;

/** The two legs of every pair that would enter now, weighted by net APR. */
export function toProtoTargets(
  opportunities: readonly FundingOpportunity[],
): TargetPositionProto[] {
  const entering = opportunities.filter((o) => o.entry && o.netApr.gt(0));
  const total = entering.reduce((sum, o) => sum.add(o.netApr), dec(0));
  return entering.flatMap((o) => {
    const weight = places(o.netApr.div(total));
    const leg = (side: 'long' | 'short'): TargetPositionProto => ({
      symbol: o[side].symbol,
      weight,
      notional: toProtoOptionalDecimal(
        o.notional === null ? undefined : side === 'long' ? o.notional : o.notional.neg(),
      ),
      exchange: exchangeOf(o[side]),
      qualityScore: places(o.netApr),
    });
    return [leg('long'), leg('short')];
  });
}

export function toProtoOpportunity(o: FundingOpportunity): PortfolioOpportunityProto {
  return {
    symbol: o.long.symbol,
    strategy: `funding_arbitrage:${o.pairId}`,
    longExchange: exchangeOf(o.long),
    shortExchange: exchangeOf(o.short),
    spread: toProtoDecimal(o.spread),
    spreadApr: places(o.apr),
    basis: o.basis === null ? undefined : places(o.basis),
    qualityScore: places(o.netApr),
    metrics: undefined,
    timestamp: toProtoMs(o.atMs),
  };
}
