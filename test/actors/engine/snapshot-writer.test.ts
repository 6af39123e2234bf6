/**
 * The snapshot writer: saves wait for their step's placements to reach the venue (never longer
 * than the cap), one runs at a time while later states coalesce into the next (the newest
 * document, every intent), an unchanged document is not saved again, and a failed save fails the
 * actor once and is thrown by `flush`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SymbolStore } from '../../../actors/engine/engine.store.js';
import { SENT_WAIT_MS, SnapshotWriter } from '../../../actors/engine/snapshot-writer.js';
import type { LedgerOrder } from '../../../actors/orders/order-ledger.types.js';
import type { SymbolId } from '../../../core/types.js';

/** A store that records saves and lets the test decide when each finishes. */
function fakeStore() {
  const saves: { document: unknown; version: number; intents: readonly LedgerOrder[] }[] = [];
  const gates: (() => void)[] = [];
  let fail: Error | null = null;
  const store = {
    saveSnapshot: async (_s: SymbolId, document: unknown, version: number, intents = []) => {
      saves.push({ document, version, intents });
      await new Promise<void>((resolve) => gates.push(resolve));
      if (fail) throw fail;
      return version + 1;
    },
    record: async () => [],
  } as unknown as SymbolStore;
  return {
    store,
    saves,
    release: () => gates.shift()?.(),
    failNext: (e: Error) => void (fail = e),
  };
}

const intent = (id: string) => ({ clientOrderId: id }) as unknown as LedgerOrder;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SnapshotWriter', () => {
  it('saves once the step reached the venue, and coalesces what came meanwhile', async () => {
    const { store, saves, release } = fakeStore();
    const errors: unknown[] = [];
    const writer = new SnapshotWriter({
      symbol: 'BTCUSDT' as SymbolId,
      store,
      version: 4,
      onError: (e) => errors.push(e),
    });
    let sent = () => {};
    writer.write({ n: 1 }, [intent('a')], [new Promise<void>((r) => (sent = r))]);
    await tick();
    assert.equal(saves.length, 0, 'saved before the placement reached the venue');
    sent();
    await tick();
    assert.deepEqual(
      saves.map((s) => [s.document, s.version]),
      [[{ n: 1 }, 4]],
    );

    writer.write({ n: 2 }, [intent('b')], []);
    writer.write({ n: 3 }, [intent('c')], []);
    writer.write({ n: 3 }, [], []);
    assert.equal(writer.busy, true);
    release();
    await tick();
    await tick();
    release();
    await writer.flush();

    assert.deepEqual(
      saves.map((s) => [s.document, s.version, s.intents.map((i) => i.clientOrderId)]),
      [
        [{ n: 1 }, 4, ['a']],
        [{ n: 3 }, 5, ['b', 'c']],
      ],
    );
    assert.equal(writer.busy, false);
    assert.deepEqual(errors, []);
  });

  it('saves anyway once the cap has passed without the venue being reached', async () => {
    const { store, saves, release } = fakeStore();
    const writer = new SnapshotWriter({
      symbol: 'BTCUSDT' as SymbolId,
      store,
      version: 0,
      onError: () => undefined,
    });
    writer.write({ n: 1 }, [], [new Promise<void>(() => undefined)]);
    await new Promise((resolve) => setTimeout(resolve, SENT_WAIT_MS + 20));
    assert.equal(saves.length, 1);
    release();
    await writer.flush();
  });

  it('fails the actor once on a failed save and throws it from flush', async () => {
    const { store, release, failNext } = fakeStore();
    const errors: unknown[] = [];
    const writer = new SnapshotWriter({
      symbol: 'BTCUSDT' as SymbolId,
      store,
      version: 0,
      onError: (e) => errors.push(e),
    });
    failNext(new Error('disk full'));
    writer.write({ n: 1 }, [], []);
    writer.write({ n: 2 }, [], []);
    await tick();
    release();
    await assert.rejects(writer.flush(), /disk full/);
    assert.equal(errors.length, 1);
  });

  it('takes no more saves after a failed one, and flush still settles instead of spinning', async () => {
    const { store, saves, release, failNext } = fakeStore();
    const errors: unknown[] = [];
    const writer = new SnapshotWriter({
      symbol: 'BTCUSDT' as SymbolId,
      store,
      version: 0,
      onError: (e) => errors.push(e),
    });
    failNext(new Error('disk full'));
    writer.write({ n: 1 }, [], []);
    await tick();
    release();
    await assert.rejects(writer.flush(), /disk full/);

    // A write after the failure used to leave the writer "running" for ever, so flush spun
    writer.write({ n: 2 }, [], []);
    await assert.rejects(writer.flush(), /disk full/);
    assert.equal(writer.busy, false);
    assert.equal(saves.length, 1);
    assert.equal(errors.length, 1);
  });
});
