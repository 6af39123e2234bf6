// @module actors/cluster: scale-out. Several engines on one PostgreSQL share the active symbols
// through leases with fencing tokens; a dead engine's symbols and workflows move to the live ones.
export * from './announcing.exchange.js';
export * from './cluster.js';
export * from './fences.js';
export * from './lease-keeper.js';
export * from './membership.js';
export * from './workflow-recovery.js';
