/**
 * @module test/connector/ccxt/venue-specs
 * One row per emulated venue for venues.test.ts: how to start it and what the venue's own API
 * must have received. Expected requests are written in each venue's documented wire format.
 */
import type { RecordedRequest } from './emulators/loopback-server.js';
import type { VenueEmulator } from './emulators/simple-orders.js';
import { BYBIT_KEY, BYBIT_SECRET, BybitEmulator } from './emulators/bybit.emulator.js';
import {
  BITGET_KEY,
  BITGET_PASSWORD,
  BITGET_SECRET,
  BitgetEmulator,
} from './emulators/bitget.emulator.js';
import { GATE_KEY, GATE_SECRET, GateEmulator } from './emulators/gate.emulator.js';
import { OKX_KEY, OKX_PASSWORD, OKX_SECRET, OkxEmulator } from './emulators/okx.emulator.js';
import type { VenueUnderTest } from './venue.harness.js';

export interface VenueSpec {
  readonly name: string;
  readonly emulator: () => VenueEmulator;
  readonly venue: Omit<VenueUnderTest, 'server'>;
  /**
   * Every request start-up makes (markets, then the one signed credential check): proves the
   * account-mode options stop ccxt's hidden probes and currency downloads.
   */
  readonly startup: readonly string[];
  /** tick, step, min quantity, min notional of BTCUSDT in base units. */
  readonly symbolInfo: readonly [string, string, string, string];
  /** The placement request: its path and the signed parameters it must carry. */
  readonly placement: {
    readonly path: string;
    readonly params: (body: RecordedRequest['body'] | undefined) => unknown;
    readonly expected: unknown;
  };
  /** The cancel-by-client-id request. */
  readonly cancel: {
    readonly method: string;
    readonly path: string;
    readonly params: (request: RecordedRequest | undefined) => unknown;
    readonly expected: unknown;
  };
  /** Venue codes of insufficient funds and of the rate limit. */
  readonly codes: { readonly insufficient: string; readonly rateLimited: string };
}

const okx: VenueSpec = {
  name: 'okx',
  emulator: () => new OkxEmulator(),
  venue: {
    config: { exchange: 'okx', market: 'futures' },
    hosts: /^https:\/\/www\.okx\.com/,
    wsUrls: (ws) => ({ ws: `${ws}/ws/v5` }),
    env: { OKX_API_KEY: OKX_KEY, OKX_API_SECRET: OKX_SECRET, OKX_API_PASSWORD: OKX_PASSWORD },
  },
  startup: ['GET /api/v5/account/balance', 'GET /api/v5/public/instruments'],
  // 0.01 BTC contracts, lot 0.01 contract: step and minimum are 0.0001 BTC
  symbolInfo: ['0.1', '0.0001', '0.0001', '0'],
  placement: {
    // ccxt places every OKX order through the batch endpoint, as a one-element array
    path: '/api/v5/trade/batch-orders',
    params: (body) => body,
    expected: [
      {
        instId: 'BTC-USDT-SWAP',
        side: 'buy',
        ordType: 'post_only',
        sz: '1',
        tdMode: 'cross',
        px: '95000.5',
        clOrdId: 'mm-post-1',
      },
    ],
  },
  cancel: {
    method: 'POST',
    path: '/api/v5/trade/cancel-order',
    params: (r) => r?.body,
    expected: { instId: 'BTC-USDT-SWAP', clOrdId: 'mm-post-1' },
  },
  codes: { insufficient: '51008', rateLimited: '50011' },
};

const bybit: VenueSpec = {
  name: 'bybit',
  emulator: () => new BybitEmulator(),
  venue: {
    config: { exchange: 'bybit', market: 'futures' },
    hosts: /^https:\/\/api\.bybit\.com/,
    wsUrls: (ws) => ({
      ws: {
        public: { linear: `${ws}/v5/public/linear` },
        private: { contract: `${ws}/v5/private` },
      },
    }),
    env: { BYBIT_API_KEY: BYBIT_KEY, BYBIT_API_SECRET: BYBIT_SECRET },
  },
  startup: ['GET /v5/account/wallet-balance', 'GET /v5/market/instruments-info'],
  symbolInfo: ['0.1', '0.001', '0.001', '5'],
  placement: {
    path: '/v5/order/create',
    params: (body) => body,
    expected: {
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      category: 'linear',
      qty: '0.01',
      price: '95000.5',
      timeInForce: 'PostOnly',
      orderLinkId: 'mm-post-1',
    },
  },
  cancel: {
    method: 'POST',
    path: '/v5/order/cancel',
    // Bybit's field is orderLinkId; ccxt's cancelOrder does not map a unified clientOrderId
    params: (r) => r?.body,
    expected: { symbol: 'BTCUSDT', category: 'linear', orderLinkId: 'mm-post-1' },
  },
  codes: { insufficient: '110007', rateLimited: '10006' },
};

const bitget: VenueSpec = {
  name: 'bitget',
  emulator: () => new BitgetEmulator(),
  venue: {
    config: { exchange: 'bitget', market: 'futures' },
    hosts: /^https:\/\/api\.bitget\.com/,
    wsUrls: (ws) => ({ ws: { public: `${ws}/v2/ws/public`, private: `${ws}/v2/ws/private` } }),
    env: {
      BITGET_API_KEY: BITGET_KEY,
      BITGET_API_SECRET: BITGET_SECRET,
      BITGET_API_PASSWORD: BITGET_PASSWORD,
    },
  },
  startup: ['GET /api/v2/mix/account/accounts', 'GET /api/v2/mix/market/contracts'],
  symbolInfo: ['0.1', '0.001', '0.001', '5'],
  placement: {
    path: '/api/v2/mix/order/place-order',
    params: (body) => body,
    expected: {
      symbol: 'BTCUSDT',
      productType: 'USDT-FUTURES',
      marginMode: 'crossed',
      marginCoin: 'USDT',
      side: 'buy',
      orderType: 'limit',
      size: '0.01',
      price: '95000.5',
      force: 'post_only',
      clientOid: 'mm-post-1',
    },
  },
  cancel: {
    method: 'POST',
    path: '/api/v2/mix/order/cancel-order',
    params: (r) => r?.body,
    expected: { symbol: 'BTCUSDT', productType: 'USDT-FUTURES', clientOid: 'mm-post-1' },
  },
  codes: { insufficient: '40762', rateLimited: '429' },
};

const gate: VenueSpec = {
  name: 'gate',
  emulator: () => new GateEmulator(),
  venue: {
    config: { exchange: 'gate', market: 'futures' },
    hosts: /^https:\/\/(api|fx-api)\.gateio\.ws/,
    wsUrls: (ws) => ({ swap: { usdt: `${ws}/v4/ws/usdt` } }),
    env: { GATE_API_KEY: GATE_KEY, GATE_API_SECRET: GATE_SECRET },
  },
  startup: [
    'GET /api/v4/futures/btc/contracts',
    'GET /api/v4/futures/usdt/accounts',
    'GET /api/v4/futures/usdt/contracts',
  ],
  // 0.0001 BTC contracts, whole contracts only
  symbolInfo: ['0.1', '0.0001', '0.0001', '0'],
  placement: {
    path: '/api/v4/futures/usdt/orders',
    params: (body) => body,
    // 0.01 BTC = 100 contracts; ccxt prefixes the client id with "t-" as Gate requires
    expected: {
      contract: 'BTC_USDT',
      size: 100,
      price: '95000.5',
      tif: 'poc',
      text: 't-mm-post-1',
    },
  },
  cancel: {
    method: 'DELETE',
    // ccxt's cancelOrder(undefined, s, {clientOrderId}) would send .../orders/undefined
    path: '/api/v4/futures/usdt/orders/t-mm-post-1',
    params: (r) => r?.query,
    expected: { contract: 'BTC_USDT' },
  },
  codes: { insufficient: 'INSUFFICIENT_AVAILABLE', rateLimited: 'TOO_MANY_REQUESTS' },
};

export const VENUE_SPECS: readonly VenueSpec[] = [okx, bybit, bitget, gate];
