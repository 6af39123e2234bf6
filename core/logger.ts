/**
 * @module core/logger
 * JSON logs (pino) for every process; `LOG_LEVEL` sets the level (default info, silent in tests).
 * Every line is redacted before it is written (see core/redact): URLs lose their user-info,
 * secret-named fields and `key=value` pairs their values, errors (message, stack, fields, cause)
 * likewise, so a malformed `DATABASE_URL` or a venue error quoting a signed request never puts
 * a secret on disk.
 */
import { pino, symbols, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

import { redactText, redactValue } from './redact.js';

export type { Logger };

/** Redaction applied to the merged object, the message and the bindings of every line. */
export const REDACTING_OPTIONS: Pick<LoggerOptions, 'formatters' | 'hooks' | 'onChild'> = {
  formatters: {
    log: (object) => redactValue(object) as Record<string, unknown>,
    bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
  },
  hooks: {
    logMethod(args, method) {
      // Objects are redacted by the log formatter; only the message and its format args here
      const redacted = args.map((arg) =>
        typeof arg === 'string' ? redactText(arg) : arg,
      ) as Parameters<typeof method>;
      return method.apply(this, redacted);
    },
  },
  // Pino skips the bindings formatter for children, so their pre-rendered bindings are redacted
  onChild(child) {
    const holder = child as unknown as Record<symbol, unknown>;
    const rendered = holder[symbols.chindingsSym];
    if (typeof rendered === 'string') holder[symbols.chindingsSym] = redactText(rendered);
  },
};

/**
 * A logger whose lines carry `component` so one process's logs can be filtered by part.
 * @param component - the part of the process logging, e.g. "market-maker"
 * @param level - pino level; default `LOG_LEVEL`, else info (silent under NODE_ENV=test)
 * @param destination - where lines go; default stdout
 */
export function createLogger(
  component: string,
  level = defaultLevel(),
  destination?: DestinationStream,
): Logger {
  const options: LoggerOptions = { level, base: { component }, ...REDACTING_OPTIONS };
  return destination === undefined ? pino(options) : pino(options, destination);
}

function defaultLevel(): string {
  if (process.env.LOG_LEVEL) return process.env.LOG_LEVEL;
  return process.env.NODE_ENV === 'test' ? 'silent' : 'info';
}
