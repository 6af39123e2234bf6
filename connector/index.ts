// The exchange-connector: the venue port, the simulated venue, the gRPC service and its client.
// The only layer that talks to venues and the only one that sees generated protobuf types.
export * from './exchange.port.js';
export * from './errors.js';
export * from './types.js';
export * from './stream.js';
export * from './clock.js';
