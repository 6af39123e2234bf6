/**
 * @module test/e2e/support/venue-fills
 * Fills as the venue has them and as the engine recorded them, in one comparable form, and the
 * engine's own database opened from a test once the engine has stopped.
 */
import path from 'node:path';

import { dec, toPlain } from '../../../core/decimal.js';
import { openDatabase, type Database } from '../../../actors/store/database.js';
import type { TestDatabaseKind } from '../../support/postgres.js';
import type { EngineDatabase, VenueUnderTest } from './engine-process.js';

/** A fill, every amount a decimal string. */
export interface FillFields {
  readonly tradeId: string;
  readonly clientOrderId: string | null;
  readonly side: string;
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
  readonly feeAsset: string;
  readonly realizedPnl: string;
}

/** A fill as a comparable line: every amount a plain decimal string. */
export function fillLine(f: FillFields): string {
  return [
    f.tradeId,
    f.clientOrderId,
    f.side,
    toPlain(dec(f.price)),
    toPlain(dec(f.quantity)),
    toPlain(dec(f.fee)),
    f.feeAsset,
    toPlain(dec(f.realizedPnl)),
  ].join(' ');
}

/** The venue's own trades of every order the engine placed (and the venue accepted). */
export async function venueFills(v: VenueUnderTest, symbol: string): Promise<FillFields[]> {
  const fills: FillFields[] = [];
  const accepted = v.placements.filter((p) => p.accepted).map((p) => p.clientOrderId);
  for (const clientOrderId of new Set(accepted)) {
    const order = await v.venue.getOrder({ symbol, clientOrderId });
    for (const t of order.trades) {
      fills.push({
        tradeId: t.tradeId,
        clientOrderId,
        side: t.side,
        price: t.price.toFixed(),
        quantity: t.quantity.toFixed(),
        fee: t.fee.toFixed(),
        feeAsset: t.feeAsset,
        realizedPnl: t.realizedPnl.toFixed(),
      });
    }
  }
  return fills;
}

/** The engine's database, opened from the test once the engine has stopped. */
export function openLedgerDatabase(
  kind: TestDatabaseKind,
  dir: string,
  database: EngineDatabase,
): Promise<Database> {
  if (kind === 'pglite') {
    return openDatabase({ url: null, dataDir: path.join(dir, 'pglite'), migrate: false });
  }
  const line = database.configLines.find((l) => l.trim().startsWith('url:'));
  const url = /url: '(.*)'/.exec(line ?? '')?.[1];
  if (!url) throw new Error(`no database url in ${database.configLines.join(' ')}`);
  return openDatabase({ url, migrate: false, poolSize: 1 });
}
