/**
 * @module actors/engine/symbol-changes
 * What each change to the traded set does, once the symbol-change queue hands it over (one
 * change per symbol at a time): admission and add, re-activation or reconfiguration; removal,
 * which is done only when the venue lists none of the symbol's orders of ours. Refusals are
 * returned as values naming the field, never thrown, so they cross the workflow boundary intact.
 */
import type { Logger } from 'pino';

import { ExchangeError } from '../../core/errors.js';
import type { Exchange } from '../../core/exchange.port.js';
import type { SymbolId } from '../../core/types.js';
import type { EngineStore } from './engine.store.js';
import { holdingsOf, type Holding } from './grid-change.js';
import { latticeFits, parseDocument } from './grid-builder.js';
import type { SlotSetDocument } from './slot-set.js';
import {
  placementsInFlight,
  type SymbolChange,
  type SymbolChangeOutcome,
} from './symbol-change.workflow.js';
import { admitGrid, SymbolRequestError, type GridSafetyPolicy } from './symbol-admission.js';
import {
  gridConfigFromWire,
  gridConfigSchema,
  gridConfigToWire,
  parseStoredGridConfig,
  sameGridConfig,
  type GridConfig,
} from './symbol.config.js';
import type { SymbolSupervisor } from './symbol.supervisor.js';
import { tradedElsewhere, type SymbolOwnership } from './symbol-ownership.js';
import type { SweepResult } from './venue-sweep.js';

/** Outcome of an add. */
export type AddSymbolOutcome = 'added' | 'unchanged' | 'reactivated' | 'reconfigured';

/** What an add did, and the inventory of a previous grid the new one starts with. */
export interface AddSymbolResult {
  readonly outcome: AddSymbolOutcome;
  /** Holdings of the previous grid carried into the new one; empty when none. */
  readonly carried: readonly Holding[];
}

/** What the changes act on: the orchestrator's parts. */
export interface SymbolChangesDeps {
  readonly exchange: Exchange;
  readonly store: EngineStore;
  readonly log: Logger;
  /** The supervised symbols; changed in place. */
  readonly symbols: Map<SymbolId, SymbolSupervisor>;
  /** Creates (and registers) the supervisor of a new symbol. */
  readonly supervise: (symbol: SymbolId, grid: GridConfig) => SymbolSupervisor;
  /** True once actors run (after start-up recovery). */
  readonly resumed: () => boolean;
  readonly refreshStreams: () => void;
  readonly clearGauges: (symbol: SymbolId) => void;
  /** Cancels our orders of the symbol until the venue lists none. */
  readonly sweep: (symbol: SymbolId) => Promise<SweepResult>;
  /** The safety checker's limits; null: only the venue's filters are checked. */
  readonly safety?: GridSafetyPolicy | null;
  /** How long a removal waits for placements still in flight, ms; default 10000. */
  readonly drainMs?: number;
  /** Scale-out: only the engine holding a symbol's lease changes it. None: one engine alone. */
  readonly ownership?: SymbolOwnership;
}

/** Applies symbol changes; see the module doc. */
export class SymbolChanges {
  readonly #deps: SymbolChangesDeps;

  constructor(deps: SymbolChangesDeps) {
    this.#deps = deps;
  }

  /**
   * Applies one change.
   * @returns its outcome; never throws for a refusal or an unreachable venue
   */
  async apply(change: SymbolChange): Promise<SymbolChangeOutcome> {
    try {
      if (change.kind === 'add') {
        const grid = gridConfigFromWire(gridConfigSchema.parse(change.grid));
        return await this.#add(change.symbol, grid);
      }
      return await this.#remove(change.symbol);
    } catch (e) {
      if (e instanceof SymbolRequestError) return { ok: false, kind: e.kind, problems: e.problems };
      if (e instanceof ExchangeError) {
        const why = `connector: the venue could not be asked (${e.reason}); try again shortly`;
        return { ok: false, kind: 'unavailable', problems: [why] };
      }
      throw e;
    }
  }

  async #add(symbol: SymbolId, grid: GridConfig): Promise<SymbolChangeOutcome> {
    const { store, symbols, log, ownership } = this.#deps;
    const elsewhere = symbols.has(symbol) ? null : await ownership?.ownerElsewhere(symbol);
    if (elsewhere) throw new SymbolRequestError('conflict', [tradedElsewhere(symbol, elsewhere)]);
    const stored = await this.#storedGrid(symbol);
    const kept = stored && latticeFits(stored.lattice, grid) ? stored.lattice.anchorPrice : null;
    await admitGrid(this.#deps.exchange, symbol, grid, kept, this.#deps.safety ?? null);
    const current = symbols.get(symbol);
    const same = current !== undefined && sameGridConfig(current.grid, grid);
    if (same && current.state() !== 'failed') return { ok: true, outcome: 'unchanged' };
    if (current && !same && current.isBusy()) {
      throw new SymbolRequestError('conflict', [
        `grid: ${symbol} slots hold inventory or orders; its grid can change once they are ` +
          `flat (DELETE /symbols/${symbol} cancels its orders)`,
      ]);
    }
    const carried = stored && kept === null ? holdingsOf(stored) : [];
    if (carried.length > 0) {
      log.warn({ symbol, carried }, 'new grid: the inventory of the previous grid is carried');
    }
    await store.activeSymbols.add(symbol, gridConfigToWire(grid));
    if (current) {
      await current.reactivate(grid);
      return { ok: true, outcome: same ? 'reactivated' : 'reconfigured', detail: carried };
    }
    const owner = ownership ? await ownership.claim(symbol) : null;
    if (ownership && owner !== ownership.engineId) {
      log.info({ symbol, owner }, 'symbol added: another engine took its lease and trades it');
      return { ok: true, outcome: 'added', detail: carried };
    }
    const supervisor = this.#deps.supervise(symbol, grid);
    await supervisor.restore();
    if (this.#deps.resumed()) supervisor.launch();
    this.#deps.refreshStreams();
    log.info({ symbol }, 'symbol added');
    return { ok: true, outcome: 'added', detail: carried };
  }

  async #remove(symbol: SymbolId): Promise<SymbolChangeOutcome> {
    const { store, symbols, log } = this.#deps;
    const supervisor = symbols.get(symbol) ?? (await this.#claimToRemove(symbol));
    if (!supervisor) return { ok: true, outcome: 'absent' };
    await supervisor.halt(true);
    const drained = await placementsInFlight(symbol, this.#deps.drainMs ?? 10_000);
    const swept = drained === 0 ? await this.#deps.sweep(symbol) : null;
    if (!swept?.clean) {
      // Not removed: the symbol goes on managing whatever is still on the venue
      await supervisor.reactivate(supervisor.grid);
      const problems = [
        swept === null
          ? `symbol: ${symbol} was not removed: ${drained} placements were still in flight`
          : `symbol: ${symbol} was not removed: the venue ${
              swept.error ? `could not be asked (${swept.error})` : 'still lists its orders'
            } after ${swept.rounds} checks (${swept.remaining.join(', ') || 'none listed'})`,
        `symbol: ${symbol} keeps trading and managing its orders; try DELETE again shortly`,
      ];
      log.warn({ symbol, problems }, 'symbol removal not confirmed by the venue');
      return { ok: false, kind: 'unavailable', problems };
    }
    await store.activeSymbols.remove(symbol);
    await this.#deps.ownership?.forget(symbol);
    symbols.delete(symbol);
    supervisor.mailbox.discard();
    this.#deps.refreshStreams();
    this.#deps.clearGauges(symbol);
    log.info(
      { symbol, cancelled: swept.cancelled },
      'symbol removed: the venue lists none of its orders',
    );
    return { ok: true, outcome: 'removed' };
  }

  /**
   * Scale-out: a symbol active in the database but not traded here is removed by the engine
   * that owns it; one nobody owns is taken over here first, so its orders are cancelled.
   * @returns its supervisor, restored, or null when the symbol is not active
   * @throws {SymbolRequestError} conflict when another engine trades it
   */
  async #claimToRemove(symbol: SymbolId): Promise<SymbolSupervisor | null> {
    const { ownership, store } = this.#deps;
    if (!ownership) return null;
    const row = (await store.activeSymbols.list()).find((r) => r.symbol === symbol);
    if (!row) return null;
    const owner = await ownership.claim(symbol);
    if (owner !== ownership.engineId) {
      throw new SymbolRequestError('conflict', [tradedElsewhere(symbol, owner)]);
    }
    const supervisor = this.#deps.supervise(symbol, parseStoredGridConfig(row.config));
    await supervisor.restore();
    return supervisor;
  }

  async #storedGrid(symbol: SymbolId): Promise<SlotSetDocument | null> {
    const stored = await this.#deps.store.symbols.loadSnapshot(symbol);
    if (!stored) return null;
    try {
      return parseDocument(symbol, stored.document);
    } catch {
      // The actor reports an unreadable snapshot when it starts; admission goes by the config
      return null;
    }
  }
}
