/**
 * @module connector/venues/sim/margin-interest
 * The hourly margin-interest schedule of the simulated spot venue: on every top of the hour each
 * margin loan outstanding is charged an hour of interest (Binance cross margin). Hours that passed
 * while the connector was down are charged as soon as the venue runs again, as a real venue keeps
 * charging while our processes restart.
 */
import type { Clock, TimerHandle } from '../../../core/clock.js';
import type { SpotLedger } from './spot-ledger.js';
import type { TradingCore } from './trading-core.js';

const HOUR_MS = 3_600_000;

/** The first top of the hour after `ms`. */
function nextHour(ms: number): number {
  return (Math.floor(ms / HOUR_MS) + 1) * HOUR_MS;
}

/** Charges margin interest on the hour. */
export class MarginInterest {
  private readonly clock: Clock;
  private readonly ledger: SpotLedger;
  private readonly core: TradingCore;
  private nextMs: number;
  private timer: TimerHandle | undefined;

  /** @param core the spot market, whose account stream hears of every charge */
  constructor(clock: Clock, ledger: SpotLedger, core: TradingCore) {
    this.clock = clock;
    this.ledger = ledger;
    this.core = core;
    this.nextMs = nextHour(clock.now());
  }

  /** Resumes the schedule of a venue saved at `savedAtMs`: missed hours are charged at start. */
  resumeFrom(savedAtMs: number): void {
    this.nextMs = nextHour(savedAtMs);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clear(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const delay = Math.max(0, this.nextMs - this.clock.now());
    this.timer = this.clock.after(delay, () => this.charge());
  }

  private charge(): void {
    if (this.ledger.accrueHourlyInterest().length > 0) this.core.emitAccount();
    this.nextMs += HOUR_MS;
    this.schedule();
  }
}
