// Hono apps of the system: the engine's admin/metrics API and the live-server hub that feeds the
// dashboard in public/ over WebSocket.
export * from './live/index.js';
