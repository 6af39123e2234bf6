/**
 * @module connector/venues/ccxt/venue-profiles
 * What differs between the ccxt venues we trade, as data: one row per ccxt exchange id. The
 * adapter itself is venue-blind and reads every venue quirk (client-id parameters, cancel-all,
 * batch limits, funding feed, margin parameters, account-mode options, error codes) from here.
 * Facts behind each row: /work/shared/reference/ccxt-facts.md (checked against ccxt 4.5.84).
 */
import type { ErrorReason } from '../../../core/errors.js';
import type { MarketKind } from '../../../core/exchange.types.js';

/** The ccxt exchange ids this connector supports. */
export const VENUE_IDS = ['binance', 'binanceusdm', 'bitget', 'gate', 'okx', 'bybit'] as const;
export type VenueId = (typeof VENUE_IDS)[number];

/** How the adapter gets funding-rate updates for a stream subscriber. */
export type FundingFeed = 'markPrice' | 'watchFundingRate' | 'poll';

/** The ccxt call (id argument and params) that addresses an order by our client id. */
export interface ClientIdCall {
  readonly id: string | undefined;
  readonly params: Record<string, unknown>;
}

export interface VenueProfile {
  readonly id: VenueId;
  /** Market kinds one instance of this class can trade, each with the ccxt fetchMarkets types to load. */
  readonly markets: Readonly<Partial<Record<MarketKind, readonly string[]>>>;
  /** Prefix of the credential environment variables: `<PREFIX>_API_KEY`, ... */
  readonly envPrefix: string;
  /** True when the venue signs with a passphrase as well (`<PREFIX>_API_PASSWORD`). */
  readonly needsPassword: boolean;
  /**
   * ccxt `options` set at construction. They pin account modes ccxt would otherwise probe with
   * hidden REST calls, and skip currency/margin-pair downloads we never read.
   */
  readonly options: Readonly<Record<string, unknown>>;
  /** What the venue puts before our client id on the wire (Gate: "t-"); stripped on the way back. */
  readonly clientIdPrefix: string;
  /** Cancel by client id; ccxt's unified `clientOrderId` is broken or unmapped on some venues. */
  cancelByClientId(clientOrderId: string): ClientIdCall;
  /** Fetch one order by client id. */
  fetchByClientId(clientOrderId: string): ClientIdCall;
  /** Extra params of every fetchOrder (Bybit refuses fetchOrder without `acknowledged`). */
  readonly fetchOrderParams: Readonly<Record<string, unknown>>;
  /** False where the venue has no cancel-all endpoint: open orders + batch cancel instead. */
  readonly nativeCancelAll: boolean;
  /** Largest createOrders / cancelOrders batch; 0 = no batch endpoint, send one by one. */
  readonly maxBatch: number;
  readonly funding: FundingFeed;
  /** How the fills of one order are read: ccxt's fetchOrderTrades, or fetchMyTrades by orderId. */
  readonly orderTrades: 'fetchOrderTrades' | 'myTradesByOrderId' | 'none';
  /** Params that put a spot order on the cross-margin account (with auto-borrow where set). */
  readonly marginParams: Readonly<Record<string, unknown>>;
  /** Params that address the margin account when cancelling or querying orders. */
  readonly marginQueryParams: Readonly<Record<string, unknown>>;
  /**
   * Venue error codes whose meaning ccxt's class does not carry: none of these venues maps a
   * duplicate client id to ccxt's DuplicateOrderId, so duplicates are recognised here.
   */
  readonly codeReasons: Readonly<Record<string, ErrorReason>>;
  /**
   * False where the venue accepts a repeated client id as a new order (Gate: "the latter
   * overrides"): the adapter then looks the id up before placing, to stay idempotent.
   */
  readonly rejectsDuplicateClientId: boolean;
  /** The account uid some private streams need (Gate futures), read from the balance reply. */
  readonly accountUid?: (balanceInfo: unknown) => string | undefined;
  /** Message fragments for venues that reuse one code for several causes (Binance spot -2010). */
  readonly messageReasons: readonly (readonly [RegExp, ErrorReason])[];
}

const unifiedClientId = (clientOrderId: string): ClientIdCall => ({
  id: undefined,
  params: { clientOrderId },
});

const BINANCE_OPTIONS = {
  // Keyed loadMarkets would otherwise download sapi currencies and margin pairs
  fetchCurrencies: false,
  fetchMargins: false,
  fetchOpenOrders: { warnWithoutSymbol: false },
  // ccxt's first private watch otherwise spawns a positions snapshot (leverageBracket +
  // positionRisk) into a future nobody awaits: a socket drop before it lands rejects that
  // future unhandled. Position streams carry changes; snapshots come from getPositions.
  watchPositions: { fetchPositionsSnapshot: false },
};

const PROFILES: Readonly<Record<VenueId, VenueProfile>> = {
  binance: {
    id: 'binance',
    clientIdPrefix: '',
    rejectsDuplicateClientId: true,
    markets: { spot: ['spot'] },
    envPrefix: 'BINANCE',
    needsPassword: false,
    options: BINANCE_OPTIONS,
    cancelByClientId: unifiedClientId,
    fetchByClientId: unifiedClientId,
    fetchOrderParams: {},
    nativeCancelAll: true,
    // Binance spot has no batch endpoint: ccxt throws for createOrders/cancelOrders on spot
    maxBatch: 0,
    funding: 'poll',
    orderTrades: 'fetchOrderTrades',
    // Borrow what a short sell lacks and repay the loan from what a buy brings in (as the
    // simulated venue's margin account does); without it a spot short needs a manual loan
    marginParams: { marginMode: 'cross', sideEffectType: 'AUTO_BORROW_REPAY' },
    marginQueryParams: { marginMode: 'cross' },
    codeReasons: {
      '-2011': 'ORDER_NOT_FOUND',
      '-2013': 'ORDER_NOT_FOUND',
      '-1121': 'UNKNOWN_SYMBOL',
    },
    messageReasons: [
      [/Duplicate order sent/i, 'DUPLICATE_ORDER'],
      [/immediately match and take/i, 'POST_ONLY_WOULD_CROSS'],
      [/insufficient balance/i, 'INSUFFICIENT_FUNDS'],
    ],
  },
  binanceusdm: {
    id: 'binanceusdm',
    clientIdPrefix: '',
    rejectsDuplicateClientId: true,
    markets: { futures: ['linear'] },
    envPrefix: 'BINANCE',
    needsPassword: false,
    options: BINANCE_OPTIONS,
    cancelByClientId: unifiedClientId,
    fetchByClientId: unifiedClientId,
    fetchOrderParams: {},
    nativeCancelAll: true,
    maxBatch: 5,
    funding: 'markPrice',
    orderTrades: 'myTradesByOrderId',
    marginParams: {},
    marginQueryParams: {},
    codeReasons: {
      '-4116': 'DUPLICATE_ORDER',
      '-5022': 'POST_ONLY_WOULD_CROSS',
      '-2019': 'INSUFFICIENT_FUNDS',
      '-2011': 'ORDER_NOT_FOUND',
      '-2013': 'ORDER_NOT_FOUND',
      '-2022': 'REDUCE_ONLY_REJECTED',
      '-1121': 'UNKNOWN_SYMBOL',
      '-1003': 'RATE_LIMITED',
    },
    messageReasons: [],
  },
  bitget: {
    id: 'bitget',
    clientIdPrefix: '',
    rejectsDuplicateClientId: true,
    markets: { spot: ['spot'], futures: ['swap'] },
    envPrefix: 'BITGET',
    needsPassword: true,
    // Undetermined UTA makes ccxt call GET /api/v3/account/settings before many requests
    options: { uta: false },
    cancelByClientId: unifiedClientId,
    fetchByClientId: unifiedClientId,
    fetchOrderParams: {},
    nativeCancelAll: true,
    maxBatch: 50,
    funding: 'poll',
    orderTrades: 'none',
    marginParams: { marginMode: 'cross' },
    marginQueryParams: { marginMode: 'cross' },
    codeReasons: {
      '40786': 'DUPLICATE_ORDER',
      '40762': 'INSUFFICIENT_FUNDS',
      '43012': 'INSUFFICIENT_FUNDS',
      '40768': 'ORDER_NOT_FOUND',
      '43001': 'ORDER_NOT_FOUND',
      '429': 'RATE_LIMITED',
    },
    messageReasons: [],
  },
  gate: {
    id: 'gate',
    // Gate requires user texts to start with t-; ccxt adds it only to ids not starting with t
    clientIdPrefix: 't-',
    rejectsDuplicateClientId: false,
    // Futures order and position channels are per user; ccxt keeps the account reply as a list
    accountUid: (info) => {
      const account = (Array.isArray(info) ? info[0] : info) as { user?: number } | undefined;
      return account?.user === undefined ? undefined : String(account.user);
    },
    markets: { spot: ['spot'], futures: ['swap'] },
    envPrefix: 'GATE',
    needsPassword: false,
    // Undetermined unified mode makes ccxt call GET /api/v4/account/detail first
    options: { unifiedAccount: false },
    // ccxt's cancelOrder(undefined, s, {clientOrderId}) sends DELETE .../orders/undefined; Gate
    // accepts the `t-` prefixed text in the id position instead
    cancelByClientId: (clientOrderId) => ({ id: `t-${clientOrderId}`, params: {} }),
    fetchByClientId: (clientOrderId) => ({
      id: undefined,
      params: { clientOrderId: `t-${clientOrderId}` },
    }),
    fetchOrderParams: {},
    nativeCancelAll: true,
    maxBatch: 10,
    funding: 'poll',
    orderTrades: 'fetchOrderTrades',
    marginParams: { marginMode: 'cross' },
    marginQueryParams: { marginMode: 'cross' },
    codeReasons: {
      INSUFFICIENT_AVAILABLE: 'INSUFFICIENT_FUNDS',
      CLIENT_ID_NOT_FOUND: 'ORDER_NOT_FOUND',
      BALANCE_NOT_ENOUGH: 'INSUFFICIENT_FUNDS',
      ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
      TOO_MANY_REQUESTS: 'RATE_LIMITED',
      POC_FILL_IMMEDIATELY: 'POST_ONLY_WOULD_CROSS',
      INVALID_CURRENCY_PAIR: 'UNKNOWN_SYMBOL',
    },
    messageReasons: [],
  },
  okx: {
    id: 'okx',
    clientIdPrefix: '',
    rejectsDuplicateClientId: true,
    markets: { spot: ['spot'], futures: ['swap'] },
    envPrefix: 'OKX',
    needsPassword: true,
    options: {},
    cancelByClientId: unifiedClientId,
    fetchByClientId: unifiedClientId,
    fetchOrderParams: {},
    // OKX has no cancel-all: open orders + cancel-batch-orders
    nativeCancelAll: false,
    maxBatch: 20,
    funding: 'watchFundingRate',
    orderTrades: 'fetchOrderTrades',
    marginParams: { marginMode: 'cross' },
    marginQueryParams: {},
    codeReasons: {
      '51016': 'DUPLICATE_ORDER',
      '51011': 'DUPLICATE_ORDER',
      '51008': 'INSUFFICIENT_FUNDS',
      '50011': 'RATE_LIMITED',
      '51603': 'ORDER_NOT_FOUND',
    },
    messageReasons: [],
  },
  bybit: {
    id: 'bybit',
    clientIdPrefix: '',
    rejectsDuplicateClientId: true,
    markets: { spot: ['spot'], futures: ['linear'] },
    envPrefix: 'BYBIT',
    needsPassword: false,
    // Otherwise ccxt probes GET /v5/user/query-api and /v5/account/info to detect the account
    options: { enableUnifiedAccount: true, enableUnifiedMargin: false },
    // Bybit's cancelOrder forwards `clientOrderId` raw; the venue field is orderLinkId
    cancelByClientId: (clientOrderId) => ({
      id: undefined,
      params: { orderLinkId: clientOrderId },
    }),
    fetchByClientId: (clientOrderId) => ({ id: undefined, params: { orderLinkId: clientOrderId } }),
    fetchOrderParams: { acknowledged: true },
    nativeCancelAll: true,
    maxBatch: 10,
    funding: 'poll',
    orderTrades: 'fetchOrderTrades',
    // ccxt does not translate marginMode for Bybit spot; UTA spot margin is isLeverage=1
    marginParams: { isLeverage: 1 },
    marginQueryParams: {},
    codeReasons: {
      '110072': 'DUPLICATE_ORDER',
      '170141': 'DUPLICATE_ORDER',
      '110007': 'INSUFFICIENT_FUNDS',
      '110001': 'ORDER_NOT_FOUND',
      '10006': 'RATE_LIMITED',
    },
    messageReasons: [],
  },
};

/** The profile of a supported ccxt exchange id. */
export function venueProfile(id: VenueId): VenueProfile {
  return PROFILES[id];
}
