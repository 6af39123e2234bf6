/**
 * @module actors/engine/grid-pass
 * One quoting pass of a symbol's grid, with the features a config may turn on around the quoter:
 * the trailing window and its inventory skew, the dynamic interval's new lattice generations
 * (saved before anything is placed on them), and dynamic slippage off the order book. The symbol
 * actor calls `quote` on every price and after every change; with none of the features on it is
 * exactly the quoter over the configured window.
 */
import type { Logger } from 'pino';

import type { Clock } from '../../core/clock.js';
import { dec, type Decimal } from '../../core/decimal.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import type { GridSlotCommand } from '../../machines/grid-slot.machine.js';
import type { BookAnalytics } from '../book/book-analytics.port.js';
import { BookFeed } from './book-feed.js';
import { gridWindow } from './grid-builder.js';
import { gridMetricsFor, type GridMetrics } from './grid.metrics.js';
import { planGrid } from './grid-planner.js';
import { quoteGrid, type EntrySkip, type QuoteOptions } from './grid-quoter.js';
import { GridVolatility } from './grid-volatility.js';
import type { RefusalCooldown } from './refusal-cooldown.js';
import type { SlotSet } from './slot-set.js';
import type { GridConfig } from './symbol.config.js';
import type { EngineMetrics } from './engine.metrics.js';

/** What a grid pass works with. */
export interface GridPassOptions {
  readonly symbol: SymbolId;
  readonly grid: GridConfig;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
  /** Shared order-book analytics; absent: no dynamic slippage. */
  readonly book?: BookAnalytics;
}

/** One symbol's grid features around the quoter; see the module doc. */
export class GridPass {
  readonly #o: GridPassOptions;
  readonly #metrics: GridMetrics;
  readonly #volatility: GridVolatility | null;
  readonly #book: BookFeed | null;
  #centre: number | null = null;
  #draining = false;

  constructor(options: GridPassOptions) {
    this.#o = options;
    const { symbol, grid, exchange, clock, log } = options;
    const metrics = gridMetricsFor(options.metrics.registry);
    this.#metrics = metrics;
    this.#volatility = grid.dynamicInterval
      ? new GridVolatility({ symbol, exchange, spec: grid.dynamicInterval, clock, log, metrics })
      : null;
    this.#book = options.book
      ? new BookFeed({
          symbol,
          exchange,
          analytics: options.book,
          clock,
          log,
          metrics,
          sizes: [dec(grid.orderQuantity)],
        })
      : null;
  }

  /**
   * The ATR a new lattice is built with, fetched now; null without a dynamic interval or when
   * the venue cannot answer yet (logged; the configured interval is used).
   */
  async initialAtr(): Promise<Decimal | null> {
    if (!this.#volatility) return null;
    try {
      return await this.#volatility.refresh();
    } catch (e) {
      const ids = { symbol: this.#o.symbol, reason: (e as { reason?: string }).reason };
      this.#o.log.warn(
        ids,
        'no candles for the dynamic grid interval yet: using the configured one',
      );
      return null;
    }
  }

  /** Starts the book stream and the candle refreshes (the symbol trades). */
  start(slots: SlotSet): void {
    this.#book?.start();
    this.#volatility?.start();
    this.#metrics.interval.set({ symbol: this.#o.symbol }, Number(slots.lattice.interval));
  }

  /** Stops both. */
  stop(): void {
    this.#book?.stop();
    this.#volatility?.stop();
  }

  /**
   * One quoting pass.
   * @param slots - the symbol's slots; changed in place
   * @param marketPrice - current price, quote units
   * @param cooldown - which slots must not place yet
   * @param save - persists the slots now and resolves once saved (a new lattice generation is
   *   saved before anything is placed on it)
   * @param risk - what the trading state allows, and how a flatten's close is priced
   * @returns the commands the slots emitted
   */
  async quote(
    slots: SlotSet,
    marketPrice: string,
    cooldown: RefusalCooldown,
    save: () => Promise<void>,
    risk: Pick<QuoteOptions, 'quoting' | 'flattenSlippagePct'> = {},
  ): Promise<GridSlotCommand[]> {
    const { grid, symbol, log } = this.#o;
    const plan = planGrid(grid, slots, marketPrice, this.#volatility?.atr ?? null);
    if (plan.draining !== this.#draining) {
      this.#draining = plan.draining;
      if (plan.draining) {
        log.info(
          { symbol, from: slots.lattice.interval },
          'volatility changed the grid interval: pulling entries for a new lattice',
        );
      }
    }
    if (plan.relattice) {
      const from = slots.lattice;
      slots.relattice(plan.relattice, grid.trailing ? [] : gridWindow(grid));
      this.#centre = null;
      await save();
      this.#metrics.latticeChanges.inc({ symbol });
      this.#metrics.interval.set({ symbol }, Number(plan.relattice.interval));
      log.info({ symbol, from, to: plan.relattice }, 'grid moved to a new lattice generation');
    }
    if (plan.window && plan.window.centre !== this.#centre) {
      if (this.#centre !== null) this.#metrics.windowMoves.inc({ symbol });
      this.#centre = plan.window.centre;
    }
    const book = this.#book?.limiter(slots.lattice.tickSize, grid.maxSlippageBps ?? 0);
    const commands = quoteGrid(slots, marketPrice, cooldown, {
      ...risk,
      ...(plan.window && { window: plan.window }),
      draining: plan.draining,
      ...(book && { book }),
      onSkip: (index, skip) => this.#skipped(slots, index, skip),
    });
    for (const command of commands) {
      if (command.type === 'command.cancelOrder') {
        this.#metrics.entriesPulled.inc({ symbol });
      } else if (
        command.reduceOnly === false &&
        !dec(command.price).eq(levelOf(slots, command.slotIndex))
      ) {
        this.#metrics.entriesRepriced.inc({ symbol });
      }
    }
    return commands;
  }

  #skipped(slots: SlotSet, index: number, skip: EntrySkip | null): void {
    const { symbol, log } = this.#o;
    if (skip) this.#metrics.entriesSkipped.inc({ symbol, reason: skip.reason });
    if (!slots.noteSkip(index, skip?.reason ?? null) || !skip) return;
    log.warn(
      { symbol, slot: index, ...skip, maxSlippageBps: this.#o.grid.maxSlippageBps ?? 0 },
      'grid entry skipped: the order book crosses its level by more than the slippage bound',
    );
  }
}

function levelOf(slots: SlotSet, index: number): string {
  return slots.snapshot(index)?.context.levelPrice ?? '0';
}
