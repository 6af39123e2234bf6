/**
 * PgliteSessionQueue against a hand-written session that logs which connection's message ran, in
 * which order, and tracks BEGIN / COMMIT like a backend would.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  PgliteSessionQueue,
  type ProtocolSession,
} from '../../../actors/store/pglite-session-queue.js';

/** A frontend message: type byte, length, and for 'Q' the query text. */
function message(type: string, text = ''): Uint8Array {
  const body = Buffer.from(text ? `${text}\0` : '', 'utf8');
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'ascii');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

function describeMessage(bytes: Uint8Array): string {
  const type = String.fromCharCode(bytes[0] ?? 0);
  const text = Buffer.from(bytes.subarray(5)).toString('utf8').replace(/\0$/, '');
  return text ? `${type}:${text}` : type;
}

class FakeSession implements ProtocolSession {
  readonly log: string[] = [];
  inTransaction = false;
  failOn: string | null = null;
  /** Holds the message `entry` until `until` settles. */
  hold: { entry: string; until: Promise<void> } | null = null;

  async runExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return fn();
  }

  async execProtocolRawStream(
    bytes: Uint8Array,
    options: { onRawData: (data: Uint8Array) => void },
  ): Promise<void> {
    const entry = describeMessage(bytes);
    if (entry === this.failOn) throw new Error(`session failed on ${entry}`);
    if (entry === this.hold?.entry) await this.hold.until;
    this.log.push(entry);
    if (entry === 'Q:BEGIN') this.inTransaction = true;
    if (entry === 'Q:COMMIT' || entry === 'Q:ROLLBACK') this.inTransaction = false;
    options.onRawData(Uint8Array.of(0x5a, 0, 0, 0, 5, 0x49));
  }

  isInTransaction(): boolean {
    return this.inTransaction;
  }
}

/** Lets the queue run everything it can. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const session = new FakeSession();
  const queue = new PgliteSessionQueue(session);
  const order: string[] = [];
  const send = (handler: number, bytes: Uint8Array) =>
    queue
      .enqueue(handler, bytes, () => undefined)
      .then(() => {
        order.push(`${handler}:${describeMessage(bytes)}`);
      });
  return { session, queue, order, send };
}

describe('PgliteSessionQueue', () => {
  it('keeps one connection’s extended-query batch together until its Sync', async () => {
    const { order, send } = setup();

    await Promise.all([
      send(1, message('P')),
      send(2, message('P')),
      send(1, message('B')),
      send(1, message('E')),
      send(1, message('S')),
      send(2, message('S')),
    ]);

    assert.deepEqual(order, ['1:P', '1:B', '1:E', '1:S', '2:P', '2:S']);
  });

  it('waits for the owner’s next message rather than serving another connection', async () => {
    const { order, send, queue } = setup();

    const first = send(1, message('P'));
    const other = send(2, message('Q', 'SELECT 2'));
    await first;
    await settle();
    assert.deepEqual(order, ['1:P']);
    assert.equal(queue.pending, 1);

    await Promise.all([send(1, message('S')), other]);
    assert.deepEqual(order, ['1:P', '1:S', '2:Q:SELECT 2']);
  });

  it('pins the session to a connection for the whole of its transaction', async () => {
    const { order, send } = setup();

    await Promise.all([
      send(1, message('Q', 'BEGIN')),
      send(2, message('Q', 'SELECT 2')),
      send(1, message('Q', 'INSERT')),
      send(1, message('Q', 'COMMIT')),
    ]);

    assert.deepEqual(order, ['1:Q:BEGIN', '1:Q:INSERT', '1:Q:COMMIT', '2:Q:SELECT 2']);
  });

  it('resyncs and rolls back for a connection that left mid-transaction', async () => {
    const { session, queue, order, send } = setup();
    await send(1, message('Q', 'BEGIN'));
    const waiting = send(2, message('Q', 'SELECT 2'));
    await settle();
    assert.deepEqual(order, ['1:Q:BEGIN']);

    queue.clearQueueForHandler(1);
    await queue.clearTransactionIfNeeded(1);
    await waiting;

    assert.deepEqual(session.log, ['Q:BEGIN', 'S', 'Q:ROLLBACK', 'Q:SELECT 2']);
    assert.equal(session.inTransaction, false);
  });

  it('releases the session from a connection that left while its message was running', async () => {
    const { session, queue, send } = setup();
    let finish = () => {};
    session.hold = { entry: 'P', until: new Promise<void>((resolve) => (finish = resolve)) };
    const running = send(1, message('P'));
    const other = send(2, message('Q', 'SELECT 2'));
    await settle();

    queue.clearQueueForHandler(1);
    const released = queue.clearTransactionIfNeeded(1);
    finish();
    await Promise.all([running, released, other]);

    assert.deepEqual(session.log, ['P', 'S', 'Q:SELECT 2']);
  });

  it('fails the queued messages of a departed connection and leaves the owner alone', async () => {
    const { session, queue, send } = setup();
    await send(2, message('Q', 'BEGIN'));
    const orphan = queue.enqueue(1, message('P'), () => undefined);

    queue.clearQueueForHandler(1);
    const released = queue.clearTransactionIfNeeded(1);
    await assert.rejects(orphan, /connection closed/);
    await send(2, message('Q', 'COMMIT'));
    await released;

    // Connection 1 never owned the session, so there was nothing to resync or roll back
    assert.deepEqual(session.log, ['Q:BEGIN', 'Q:COMMIT']);
  });

  it('keeps serving after a message fails inside the session', async () => {
    const { session, order, send } = setup();
    session.failOn = 'Q:BOOM';

    const failed = send(1, message('Q', 'BOOM'));
    const next = send(2, message('Q', 'SELECT 2'));

    await assert.rejects(failed, /session failed on Q:BOOM/);
    await next;
    assert.deepEqual(order, ['2:Q:SELECT 2']);
  });

  it('reports drained only once nothing is queued or running', async () => {
    const { session, queue, send } = setup();
    let finish = () => {};
    session.hold = {
      entry: 'Q:SELECT 1',
      until: new Promise<void>((resolve) => (finish = resolve)),
    };
    const running = send(1, message('Q', 'SELECT 1'));
    let drained = false;
    const waiting = queue.drained().then(() => {
      drained = true;
    });

    await settle();
    const drainedWhileRunning = drained;
    finish();
    await Promise.all([running, waiting]);

    assert.deepEqual([drainedWhileRunning, drained], [false, true]);
  });

  it('reports the number of reply bytes it passed on', async () => {
    const { queue } = setup();
    const chunks: number[] = [];

    const bytes = await queue.enqueue(1, message('Q', 'SELECT 1'), (data) => {
      chunks.push(data.length);
    });

    assert.equal(bytes, 6);
    assert.deepEqual(chunks, [6]);
  });
});
