/**
 * @module actors/risk/risk-alerts
 * The alerts the risk layer raises, built from its machines' notices: a breaker tripped or reset
 * (or a reset refused), and a trading state changed by anything other than a breaker (an
 * operator, the kill switch, the risk monitor, a finished flatten). Dedup keys name the
 * occurrence (scope, kind, time), so a replay after a crash raises nothing new.
 */
import type { BreakerNotice } from '../../machines/breaker.machine.js';
import type { HoldLevel, TradingStateCommand } from '../../machines/trading-state.machine.js';
import type { Alert } from '../alerts/alert.types.js';

const ACTION_WORDS: Readonly<Record<HoldLevel, string>> = {
  reduce: 'new entries paused and resting entries cancelled; closes continue',
  halt: 'every resting order of ours cancelled; nothing new is placed',
  flatten: 'every order cancelled and the position being closed (reduce-only)',
};

/**
 * The alert for a breaker notice.
 * @param notice - what the breaker emitted
 * @param action - the breaker's configured action
 * @param lastRefusal - the latest venue refusal reason, for refusal storms
 * @returns the alert, or null for notices that only get a log line
 */
export function breakerAlert(
  notice: BreakerNotice,
  action: HoldLevel,
  lastRefusal: string | null,
): Alert | null {
  const where = notice.scope === 'global' ? 'all symbols' : notice.scope;
  const base = `${notice.name}:${notice.scope}`;
  switch (notice.type) {
    case 'breaker.opened':
      return {
        kind: 'breaker_tripped',
        severity: action === 'flatten' ? 'critical' : 'error',
        title: `Breaker ${notice.name} tripped on ${where}`,
        body: `${notice.reason}. Action: ${action} (${ACTION_WORDS[action]}).`,
        fields: {
          scope: notice.scope,
          breaker: notice.name,
          by: notice.by,
          trips_today: String(notice.tripsToday),
          reset: notice.autoReset ? 'automatic after its cooldown' : 'manual only',
          ...(notice.name === 'refusal_storm' && lastRefusal ? { last_refusal: lastRefusal } : {}),
        },
        dedupKey: `breaker_tripped:${base}:${notice.sinceMs}`,
        topic: `breaker:${base}`,
      };
    case 'breaker.closed':
      return {
        kind: 'breaker_reset',
        severity: 'info',
        title: `Breaker ${notice.name} reset on ${where}`,
        body: `Reset ${notice.how === 'auto' ? 'automatically after its cooldown' : `by ${notice.by}`} after ${Math.round(notice.openMs / 1000)} s open.`,
        fields: { scope: notice.scope, breaker: notice.name, how: notice.how },
        dedupKey: `breaker_reset:${base}:${notice.atMs}`,
        topic: `breaker:${base}`,
      };
    case 'breaker.resetRefused':
      return {
        kind: 'risk_limit_breached',
        severity: 'warning',
        title: `Reset of breaker ${notice.name} on ${where} refused`,
        body: `${notice.by} asked for a reset, but ${notice.reason}.`,
        fields: { scope: notice.scope, breaker: notice.name, by: notice.by },
        dedupKey: `reset_refused:${base}:${notice.atMs}`,
        topic: `breaker:${base}`,
      };
    case 'breaker.cooling':
      return null;
  }
}

/**
 * The alert for a trading-state change not caused by a breaker (breakers alert themselves).
 * @param notice - the machine's `trading.changed`
 * @returns the alert, or null
 */
export function tradingAlert(notice: TradingStateCommand): Alert | null {
  if (notice.type !== 'trading.changed' || notice.reason.startsWith('breaker:')) return null;
  const where = notice.scope === 'global' ? 'all symbols' : notice.scope;
  const severity = notice.to === 'ACTIVE' ? 'info' : notice.to === 'REDUCING' ? 'warning' : 'error';
  const byOperator = notice.reason.startsWith('operator') || notice.reason.startsWith('resumed by');
  return {
    kind: byOperator ? 'operator_action' : 'trading_state_changed',
    severity,
    title: `Trading ${notice.from} → ${notice.to} on ${where}`,
    body: notice.reason,
    fields: { scope: notice.scope, from: notice.from, to: notice.to },
    dedupKey: `trading:${notice.scope}:${notice.to}:${notice.atMs}`,
    topic: `trading:${notice.scope}`,
  };
}
