/**
 * @module core/types
 * Cross-cutting domain vocabulary shared by machines, actors, connector and server. Types only: no
 * runtime imports, so every layer can depend on it.
 */

/** Order side in our vocabulary (the wire's ORDER_SIDE_BUY / ORDER_SIDE_SELL). */
export type Side = 'BUY' | 'SELL';

export type OrderType = 'LIMIT' | 'MARKET';

/** GTX is "good till crossing": post-only, rejected when it would take liquidity. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';

/** Binance-style order lifecycle, the same names as the wire enum without its prefix. */
export type OrderStatus =
  'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

/** What kind of market a venue adapter trades. */
export type MarketKind = 'spot' | 'futures';

type Brand<T, Tag extends string> = T & { readonly __brand: Tag };

/** Our own order id, deterministic from the intent that created it (≤ 32 venue-safe characters). */
export type ClientOrderId = Brand<string, 'ClientOrderId'>;
/** The venue's own id for an order, as the venue reports it. */
export type VenueOrderId = Brand<string, 'VenueOrderId'>;
/** Exchange-native symbol such as BTCUSDT. */
export type SymbolId = Brand<string, 'SymbolId'>;
/** One grid slot within a symbol. */
export type SlotId = Brand<string, 'SlotId'>;
