/**
 * @module test/connector/ccxt/emulators/okx.json
 * OKX v5 JSON of the emulator, field for field as the API docs show it: the SWAP instrument,
 * an order (REST and the `orders` channel share the shape) and the funding-rate channel item.
 */
import type { SimpleOrder } from './simple-orders.js';

const INST = 'BTC-USDT-SWAP';

export function orderJson(o: SimpleOrder) {
  return {
    accFillSz: '0',
    algoClOrdId: '',
    algoId: '',
    attachAlgoOrds: [],
    avgPx: '',
    cTime: String(o.createdMs),
    cancelSource: '',
    category: 'normal',
    ccy: '',
    clOrdId: o.clientId,
    fee: '0',
    feeCcy: 'USDT',
    fillPx: '',
    fillSz: '0',
    fillTime: '',
    instId: o.instrument,
    instType: 'SWAP',
    lever: '10',
    ordId: o.id,
    ordType: o.postOnly ? 'post_only' : 'limit',
    pnl: '0',
    posSide: 'net',
    px: o.price,
    rebate: '0',
    rebateCcy: 'USDT',
    reduceOnly: 'false',
    side: o.side,
    source: '',
    state: o.status === 'open' ? 'live' : 'canceled',
    stpMode: 'cancel_maker',
    sz: o.size,
    tag: '',
    tdMode: 'cross',
    tgtCcy: '',
    tradeId: '',
    uTime: String(o.updatedMs),
  };
}

export function instrument() {
  return {
    alias: '',
    baseCcy: '',
    category: '1',
    ctMult: '1',
    ctType: 'linear',
    ctVal: '0.01',
    ctValCcy: 'BTC',
    expTime: '',
    instFamily: 'BTC-USDT',
    instId: INST,
    instType: 'SWAP',
    lever: '100',
    listTime: '1606468572000',
    lotSz: '0.01',
    maxIcebergSz: '100000000',
    maxLmtAmt: '20000000',
    maxLmtSz: '100000000',
    maxMktAmt: '',
    maxMktSz: '12000',
    maxStopSz: '12000',
    maxTriggerSz: '100000000',
    maxTwapSz: '100000000',
    minSz: '0.01',
    optType: '',
    quoteCcy: '',
    settleCcy: 'USDT',
    state: 'live',
    stk: '',
    tickSz: '0.1',
    uly: 'BTC-USDT',
  };
}

/** Funding settles at 00:00, 08:00 and 16:00 UTC. */
export const OKX_FUNDING_TIME = 1767254400000;

/** The funding-rate channel's data item, as OKX documents it. */
export function fundingJson() {
  return {
    fundingRate: '0.0001215',
    fundingTime: String(OKX_FUNDING_TIME),
    impactValue: '20000',
    instId: INST,
    instType: 'SWAP',
    interestRate: '0.0001',
    maxFundingRate: '0.00375',
    method: 'current_period',
    minFundingRate: '-0.00375',
    nextFundingRate: '',
    nextFundingTime: String(OKX_FUNDING_TIME + 28_800_000),
    premium: '0.0001',
    settFundingRate: '0.0001',
    settState: 'settled',
    sodEffectiveTime: '',
    ts: String(Date.now()),
  };
}
