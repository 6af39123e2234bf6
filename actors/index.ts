// The market-maker process: the orchestrator and its symbol actors, the durable workflows that
// carry every venue side effect, and the persistence they share.
export * from './store/index.js';
export * from './workflows/index.js';
