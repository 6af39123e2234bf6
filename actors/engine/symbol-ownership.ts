/**
 * @module actors/engine/symbol-ownership
 * Which engine trades a symbol, when several engines share one database (scale-out). The lease
 * keeper implements it; one engine alone has none and owns every active symbol.
 */
import type { SymbolId } from '../../core/types.js';

export interface SymbolOwnership {
  /** This engine's id. */
  readonly engineId: string;
  /** The live engine other than this one whose lease on `symbol` holds now; null when none. */
  ownerElsewhere(symbol: SymbolId): Promise<string | null>;
  /** Takes `symbol`'s lease now when free; @returns the owner's engine id afterwards */
  claim(symbol: SymbolId): Promise<string>;
  /** Gives `symbol`'s lease back after it was removed here. */
  forget(symbol: SymbolId): Promise<void>;
}

/** The refusal of a change sent to an engine that does not trade the symbol. */
export function tradedElsewhere(symbol: SymbolId, owner: string): string {
  return (
    `symbol: ${symbol} is traded by engine ${owner}; send the change to that engine's admin API ` +
    '(GET /status lists which engine owns each symbol)'
  );
}
