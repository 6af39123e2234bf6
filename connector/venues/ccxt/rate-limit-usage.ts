/**
 * @module connector/venues/ccxt/rate-limit-usage
 * The used share of a venue's request budget, read from the response headers the venue sends
 * with every REST reply. Only venues that report it are listed; the others (OKX, Bitget) answer
 * undefined rather than a guess. ccxt keeps the last reply's headers as `last_response_headers`.
 */

/** How one venue reports its budget. */
type Rule =
  /** A used counter against a fixed window budget (Binance's used weight per minute). */
  | { readonly kind: 'used'; readonly header: string; readonly budget: number }
  /** A remaining counter and the budget, both in headers (Bybit, Gate). */
  | { readonly kind: 'remaining'; readonly remaining: string; readonly limit: string };

/**
 * Per ccxt exchange id. Binance budgets are the documented REQUEST_WEIGHT per minute of each API
 * (spot 6000, USD-M futures 2400); Binance reports only the used weight, not the budget.
 */
const RULES: Readonly<Record<string, Rule>> = {
  binance: { kind: 'used', header: 'x-mbx-used-weight-1m', budget: 6000 },
  binanceusdm: { kind: 'used', header: 'x-mbx-used-weight-1m', budget: 2400 },
  bybit: { kind: 'remaining', remaining: 'x-bapi-limit-status', limit: 'x-bapi-limit' },
  gate: {
    kind: 'remaining',
    remaining: 'x-gate-ratelimit-requests-remain',
    limit: 'x-gate-ratelimit-limit',
  },
};

/**
 * The used fraction of the budget the last reply reported.
 * @param exchangeId - the ccxt exchange id ("binanceusdm")
 * @param headers - the last reply's headers, any capitalisation
 * @returns 0..1, or undefined when the venue does not report it or the reply carried none
 */
export function rateLimitUsage(
  exchangeId: string,
  headers: Readonly<Record<string, unknown>> | undefined,
): number | undefined {
  const rule = RULES[exchangeId];
  if (rule === undefined || headers === undefined) return undefined;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Number(v)]));
  if (rule.kind === 'used') {
    const used = lower.get(rule.header);
    return used === undefined || !Number.isFinite(used) ? undefined : clamp(used / rule.budget);
  }
  const remaining = lower.get(rule.remaining);
  const limit = lower.get(rule.limit);
  if (remaining === undefined || limit === undefined) return undefined;
  if (!Number.isFinite(remaining) || !Number.isFinite(limit) || limit <= 0) return undefined;
  return clamp(1 - remaining / limit);
}

function clamp(fraction: number): number {
  return Math.min(1, Math.max(0, fraction));
}
