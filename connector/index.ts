// @module connector: the exchange-connector process's parts: the gRPC service and its client
// (RemoteExchange), the venues it hosts (venues/sim, venues/ccxt), fan-out, auth and health.
export * from './exchange.client.js';
export * from './connector.server.js';
