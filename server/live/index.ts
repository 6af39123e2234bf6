/**
 * @module server/live
 * The live server: the dashboard page and its WebSocket feed, fed from the venue port.
 * - `startLiveServer({config, connect})` serves it; `createLiveApp` is the bare Hono app.
 * - `liveServerConfigSchema` / `resolveLiveServerConfig` read configs/live_server.yaml and flags.
 * - `messages` holds the wire shapes and the domain → message mapping.
 */
// Process and app
export { startLiveServer, type LiveServer, type LiveServerOptions } from './live-server.js';
export { createLiveApp, type LiveAppOptions } from './live.app.js';
// Config
export {
  DEFAULT_CONFIG_PATH,
  INTERVAL_SECONDS,
  defaultLiveServerConfig,
  liveServerConfigSchema,
  resolveLiveServerConfig,
  type LiveServerConfig,
} from './live.config.js';
// Parts: client fan-out, market view, venue feed, wire messages
export {
  CLOSE_GOING_AWAY,
  CLOSE_PONG_TIMEOUT,
  CLOSE_SLOW_CONSUMER,
  ClientHub,
} from './client-hub.js';
export { MarketView, type UpstreamEvent, type VenueSnapshot } from './market-view.js';
export { UpstreamFeed } from './upstream-feed.js';
export type * from './messages.js';
// Many symbols: one feed per symbol (market view, order book, fill list, its pages)
export { SymbolFeeds, type SymbolRefusal } from './symbol-feeds.js';
export { SymbolFeed } from './symbol-feed.js';
export type * from './book-messages.js';
