// @module machines: pure trading logic, the XState machines and their decimal, lattice and id
// helpers. Nothing here does I/O or reads a clock or randomness; actors run the machines.
export * from './types.js';
export * from './decimal.js';
export * from './grid-lattice.js';
export * from './client-order-id.js';
export * from './grid-slot.machine.js';
