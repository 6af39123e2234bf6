/**
 * @module core/logger
 * JSON logs (pino) for every process; `LOG_LEVEL` sets the level (default info, silent in tests).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** A logger whose lines carry `component` so one process's logs can be filtered by part. */
export function createLogger(component: string, level = defaultLevel()): Logger {
  return pino({ level, base: { component } });
}

function defaultLevel(): string {
  if (process.env.LOG_LEVEL) return process.env.LOG_LEVEL;
  return process.env.NODE_ENV === 'test' ? 'silent' : 'info';
}
