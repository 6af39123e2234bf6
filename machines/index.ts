// @module machines: pure trading logic, the XState machines and their lattice and id helpers.
// Nothing here does I/O or reads a clock or randomness; actors run the machines. Imports only core/.
export * from './grid-lattice.js';
export * from './client-order-id.js';
export * from './grid-slot.machine.js';
export * from './trading-state.machine.js';
export * from './breaker.machine.js';
