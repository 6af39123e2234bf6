/**
 * @module connector/codec/account
 * Account and Position on the wire. The contract's unified-margin extras (health score, margin
 * mode, adjusted equity, haircut, narrative sector) have no domain counterpart: they are left unset
 * when encoding and ignored when decoding.
 */
import type {
  Account as AccountProto,
  Position as PositionProto,
} from '../../proto/gen/opensqt/market_maker/v1/resources.js';
import type { Account, Position } from '../../core/exchange.types.js';
import { fromProtoDecimal, toProtoDecimal } from './scalars.js';

export function toProtoPosition(position: Position): PositionProto {
  return {
    symbol: position.symbol,
    size: toProtoDecimal(position.size),
    entryPrice: toProtoDecimal(position.entryPrice),
    markPrice: toProtoDecimal(position.markPrice),
    unrealizedPnl: toProtoDecimal(position.unrealizedPnl),
    leverage: position.leverage,
    marginType: position.marginType,
    isolatedMargin: toProtoDecimal(position.isolatedMargin),
    liquidationPrice: toProtoDecimal(position.liquidationPrice),
    haircut: undefined,
    narrativeSector: '',
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming the first malformed decimal */
export function fromProtoPosition(position: PositionProto): Position {
  return {
    symbol: position.symbol,
    size: fromProtoDecimal(position.size, 'size'),
    entryPrice: fromProtoDecimal(position.entryPrice, 'entry_price'),
    markPrice: fromProtoDecimal(position.markPrice, 'mark_price'),
    unrealizedPnl: fromProtoDecimal(position.unrealizedPnl, 'unrealized_pnl'),
    leverage: position.leverage,
    marginType: position.marginType,
    isolatedMargin: fromProtoDecimal(position.isolatedMargin, 'isolated_margin'),
    liquidationPrice: fromProtoDecimal(position.liquidationPrice, 'liquidation_price'),
  };
}

export function toProtoAccount(account: Account): AccountProto {
  return {
    totalWalletBalance: toProtoDecimal(account.totalWalletBalance),
    totalMarginBalance: toProtoDecimal(account.totalMarginBalance),
    availableBalance: toProtoDecimal(account.availableBalance),
    positions: account.positions.map(toProtoPosition),
    accountLeverage: account.accountLeverage,
    isUnified: account.isUnified,
    healthScore: undefined,
    marginMode: 0,
    adjustedEquity: undefined,
    totalMaintenanceMargin: toProtoDecimal(account.totalMaintenanceMargin),
  };
}

/** @throws {ExchangeError} INVALID_ARGUMENT naming the first malformed decimal */
export function fromProtoAccount(account: AccountProto): Account {
  return {
    totalWalletBalance: fromProtoDecimal(account.totalWalletBalance, 'total_wallet_balance'),
    totalMarginBalance: fromProtoDecimal(account.totalMarginBalance, 'total_margin_balance'),
    availableBalance: fromProtoDecimal(account.availableBalance, 'available_balance'),
    positions: account.positions.map(fromProtoPosition),
    accountLeverage: account.accountLeverage,
    isUnified: account.isUnified,
    totalMaintenanceMargin: fromProtoDecimal(
      account.totalMaintenanceMargin,
      'total_maintenance_margin',
    ),
  };
}
