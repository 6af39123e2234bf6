/**
 * The symbol mailbox: venue updates wait for room instead of being dropped, prices conflate,
 * self-posted messages never wait, and a stopping consumer can be interrupted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Mailbox, type Delivery } from '../../../actors/engine/mailbox.js';

async function takeAll<T>(mailbox: Mailbox<T>, count: number): Promise<Delivery<T>[]> {
  const taken: Delivery<T>[] = [];
  for (let i = 0; i < count; i++) {
    const delivery = await mailbox.take();
    assert.ok(delivery);
    taken.push(delivery);
  }
  return taken;
}

describe('Mailbox', () => {
  it('makes producers wait while full and delivers every update in order', async () => {
    const mailbox = new Mailbox<number>(2);
    const puts = [1, 2, 3, 4, 5].map((n) => mailbox.put(n));
    await Promise.resolve();

    assert.deepEqual(mailbox.depth, { queued: 2, waiting: 3 });
    const taken = await takeAll(mailbox, 5);
    await Promise.all(puts);
    assert.deepEqual(
      taken.map((d) => (d.kind === 'message' ? d.message : null)),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(mailbox.depth, { queued: 0, waiting: 0 });
  });

  it('conflates prices to the latest and delivers it after the queued messages', async () => {
    const mailbox = new Mailbox<string>(4);
    mailbox.offerPrice({ price: '100', timeMs: 1 });
    await mailbox.put('fill');
    mailbox.offerPrice({ price: '101', timeMs: 2 });
    mailbox.offerPrice({ price: '102', timeMs: 3 });

    const taken = await takeAll(mailbox, 2);
    assert.deepEqual(taken, [
      { kind: 'message', message: 'fill' },
      { kind: 'price', tick: { price: '102', timeMs: 3 } },
    ]);
    assert.deepEqual(mailbox.lastPrice, { price: '102', timeMs: 3 });
  });

  it('never makes self-posted messages wait, and keeps them in arrival order', async () => {
    const mailbox = new Mailbox<string>(1);
    await mailbox.put('update');
    mailbox.post('result-1');
    mailbox.post('result-2');

    const taken = await takeAll(mailbox, 3);
    assert.deepEqual(
      taken.map((d) => (d.kind === 'message' ? d.message : null)),
      ['update', 'result-1', 'result-2'],
    );
  });

  it('is idle while its consumer waits, and returns null to it when interrupted', async () => {
    const mailbox = new Mailbox<string>(1);
    const idleBefore = mailbox.idle;
    const waiting = mailbox.take();
    const idleWaiting = mailbox.idle;
    mailbox.interrupt();

    assert.deepEqual([idleBefore, idleWaiting], [false, true]);
    assert.equal(await waiting, null);
  });

  it('counts what it discards for a failed symbol and releases waiting producers', async () => {
    const mailbox = new Mailbox<number>(1);
    await mailbox.put(1);
    const blocked = mailbox.put(2);
    mailbox.discard();
    await blocked;
    await mailbox.put(3);
    mailbox.accept();
    await mailbox.put(4);

    assert.equal(mailbox.discarded, 3);
    assert.deepEqual(await mailbox.take(), { kind: 'message', message: 4 });
  });
});
