/**
 * @module test/connector/ccxt/emulators/binance-usdm.json
 * The emulator's state rendered as Binance USD-M JSON, field for field as the API docs show it:
 * order replies, user trades, position risk (v3), account (v3), ORDER_TRADE_UPDATE and
 * ACCOUNT_UPDATE user-data events.
 */
import type { BinanceUsdmLedger, EmuOrder, EmuTrade } from './binance-usdm.ledger.js';

export function orderJson(o: EmuOrder) {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: o.price,
    avgPrice: o.avgPrice,
    origQty: o.origQty,
    executedQty: o.executedQty,
    cumQty: o.executedQty,
    cumQuote: (Number(o.executedQty) * Number(o.avgPrice)).toFixed(5),
    timeInForce: o.timeInForce,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side,
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: o.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
}

export function tradeJson(t: EmuTrade) {
  return {
    buyer: t.side === 'BUY',
    commission: t.commission,
    commissionAsset: 'USDT',
    id: t.id,
    maker: false,
    orderId: t.orderId,
    price: t.price,
    qty: t.qty,
    quoteQty: (Number(t.price) * Number(t.qty)).toFixed(5),
    realizedPnl: '0',
    side: t.side,
    positionSide: 'BOTH',
    symbol: t.symbol,
    time: t.time,
  };
}

export function positionRiskJson(ledger: BinanceUsdmLedger, now: number) {
  return [...ledger.positions.entries()]
    .filter(([, p]) => !p.amt.isZero())
    .map(([symbol, p]) => ({
      symbol,
      positionSide: 'BOTH',
      positionAmt: p.amt.toFixed(),
      entryPrice: p.entry.toFixed(),
      breakEvenPrice: p.entry.toFixed(),
      markPrice: ledger.mark(symbol).toFixed(),
      unRealizedProfit: ledger.unrealizedOf(symbol).toFixed(),
      liquidationPrice: '0',
      isolatedMargin: '0',
      notional: p.amt.mul(ledger.mark(symbol)).toFixed(),
      marginAsset: 'USDT',
      isolatedWallet: '0',
      initialMargin: p.amt.abs().mul(ledger.mark(symbol)).div(20).toFixed(),
      maintMargin: p.amt.abs().mul(ledger.mark(symbol)).mul('0.004').toFixed(),
      positionInitialMargin: p.amt.abs().mul(ledger.mark(symbol)).div(20).toFixed(),
      openOrderInitialMargin: '0',
      adl: 1,
      bidNotional: '0',
      askNotional: '0',
      updateTime: now,
    }));
}

export function accountJson(ledger: BinanceUsdmLedger, now: number) {
  const upnl = ledger.unrealized();
  const margin = ledger.wallet.add(upnl).toFixed();
  const available = ledger.available().toFixed();
  return {
    totalInitialMargin: '0',
    totalMaintMargin: '0',
    totalWalletBalance: ledger.wallet.toFixed(),
    totalUnrealizedProfit: upnl.toFixed(),
    totalMarginBalance: margin,
    totalPositionInitialMargin: '0',
    totalOpenOrderInitialMargin: '0',
    totalCrossWalletBalance: ledger.wallet.toFixed(),
    totalCrossUnPnl: upnl.toFixed(),
    availableBalance: available,
    maxWithdrawAmount: available,
    assets: [
      {
        asset: 'USDT',
        walletBalance: ledger.wallet.toFixed(),
        unrealizedProfit: upnl.toFixed(),
        marginBalance: margin,
        maintMargin: '0',
        initialMargin: '0',
        positionInitialMargin: '0',
        openOrderInitialMargin: '0',
        crossWalletBalance: ledger.wallet.toFixed(),
        crossUnPnl: upnl.toFixed(),
        availableBalance: available,
        maxWithdrawAmount: available,
        updateTime: now,
      },
    ],
    positions: positionRiskJson(ledger, now),
  };
}

/** `ORDER_TRADE_UPDATE`: execution type `x` is NEW, CANCELED or TRADE. */
export function orderTradeUpdate(o: EmuOrder, trade: EmuTrade | undefined, now: number) {
  const execution = trade !== undefined ? 'TRADE' : o.status === 'CANCELED' ? 'CANCELED' : 'NEW';
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: now,
    T: now,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: o.origQty,
      p: o.price,
      ap: o.avgPrice,
      sp: '0',
      x: execution,
      X: o.status,
      i: o.orderId,
      l: trade?.qty ?? '0',
      z: o.executedQty,
      L: trade?.price ?? '0',
      N: 'USDT',
      n: trade?.commission ?? '0',
      T: o.updateTime,
      t: trade?.id ?? 0,
      b: '0',
      a: '0',
      m: false,
      R: o.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: o.type,
      ps: 'BOTH',
      cp: false,
      rp: '0',
      pP: false,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

export function accountUpdate(ledger: BinanceUsdmLedger, now: number) {
  return {
    e: 'ACCOUNT_UPDATE',
    E: now,
    T: now,
    a: {
      m: 'ORDER',
      B: [{ a: 'USDT', wb: ledger.wallet.toFixed(), cw: ledger.wallet.toFixed(), bc: '0' }],
      P: [...ledger.positions.entries()].map(([symbol, p]) => ({
        s: symbol,
        pa: p.amt.toFixed(),
        ep: p.entry.toFixed(),
        bep: p.entry.toFixed(),
        cr: '0',
        up: ledger.unrealizedOf(symbol).toFixed(),
        mt: 'cross',
        iw: '0',
        ps: 'BOTH',
      })),
    },
  };
}
