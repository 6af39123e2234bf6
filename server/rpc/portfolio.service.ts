/**
 * @module server/rpc/portfolio.service
 * PortfolioService of the original contract (which the original never served): the account's
 * margin health and a margin simulation of proposed position changes from the real account and
 * positions (margin-math), and which configured arbitrage pairs pay best now from the funding
 * monitor (funding-scan). With no pairs configured, or no arbitrage running, the lists are empty.
 */
import type { Clock } from '../../core/clock.js';
import type { Decimal } from '../../core/decimal.js';
import { ExchangeError, invalidArgument } from '../../core/errors.js';
import type { PortfolioServiceServer } from '../../proto/gen/opensqt/market_maker/v1/portfolio.js';
import { marginProfile, simulateMargin } from './margin-math.js';
import {
  fromProtoProposals,
  toProtoOpportunity,
  toProtoProjection,
  toProtoRiskProfile,
  toProtoTargets,
} from './portfolio.codec.js';
import { unary, type HandlerContext } from './rpc-handler.js';
import type { AccountPort, FundingScanPort, LedgerPort } from './rpc.ports.js';

export interface PortfolioServiceDeps {
  readonly account: AccountPort;
  readonly ledger: LedgerPort;
  /** Null while no arbitrage runs: the opportunity lists are empty. */
  readonly funding: FundingScanPort | null;
  readonly clock: Clock;
}

/** The PortfolioService handlers over the engine's ports. */
export function createPortfolioService(
  deps: PortfolioServiceDeps,
  ctx: HandlerContext,
): PortfolioServiceServer {
  const { account, ledger, funding, clock } = deps;
  const opportunities = () => funding?.opportunities(clock.now()) ?? [];

  /** The price a change is valued at: the position's mark, the engine's, else the venue's. */
  const priceOf = async (
    symbol: string,
    positions: Awaited<ReturnType<AccountPort['getAccount']>>['positions'],
  ): Promise<Decimal> => {
    const mark = positions.find((p) => p.symbol === symbol)?.markPrice;
    if (mark?.gt(0)) return mark;
    const engineMark = ledger.symbols().find((s) => s.symbol === symbol)?.mark;
    if (engineMark) return engineMark;
    try {
      return await account.getLatestPrice(symbol);
    } catch (e) {
      if (e instanceof ExchangeError && e.code === 3) {
        throw invalidArgument(
          `proposals[${symbol}]`,
          `the venue does not list ${symbol}: ${e.message}`,
        );
      }
      throw e;
    }
  };

  return {
    getRiskProfile: unary(ctx, 'GetRiskProfile', async () =>
      toProtoRiskProfile(marginProfile(await account.getAccount())),
    ),

    simulateMargin: unary(ctx, 'SimulateMargin', async (request) => {
      const proposals = fromProtoProposals(request);
      const acct = await account.getAccount();
      const changes = await Promise.all(
        proposals.map(async (p) => ({ ...p, price: await priceOf(p.symbol, acct.positions) })),
      );
      return toProtoProjection(simulateMargin(acct, changes));
    }),

    getTargetPositions: unary(ctx, 'GetTargetPositions', async () => ({
      targets: toProtoTargets(opportunities()),
    })),

    getMarketScores: unary(ctx, 'GetMarketScores', async () => ({
      opportunities: opportunities().map(toProtoOpportunity),
    })),
  };
}
