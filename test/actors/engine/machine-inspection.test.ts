/**
 * machine-inspection and the inspector bridge: a machine actor created with the inspection's
 * observer streams its events and snapshots through the loopback bridge to a page watching it
 * (here a WebSocket client standing in for the browser page); a bad endpoint setting is refused
 * naming it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { WebSocket } from 'ws';
import { createActor } from 'xstate';

import {
  INSPECT_ENV,
  machineInspectionFromEnv,
  startMachineInspection,
} from '../../../actors/engine/machine-inspection.js';
import type { SymbolId } from '../../../core/types.js';
import { gridSlotMachine } from '../../../machines/grid-slot.machine.js';
import {
  startInspectorBridge,
  type InspectorBridge,
} from '../../../server/inspector/inspector-bridge.js';
import { eventually } from '../../support/grpc-harness.js';

interface Received {
  readonly type: string;
  readonly event?: { readonly type: string };
  readonly snapshot?: { readonly value: unknown };
}

describe('machine inspection through the inspector bridge', () => {
  let bridge: InspectorBridge;
  before(async () => {
    bridge = await startInspectorBridge(0);
  });
  after(() => bridge.close());

  it("streams a grid slot's events and snapshots to a page on the bridge", async () => {
    const received: Received[] = [];
    const page = new WebSocket(bridge.wsUrl);
    page.on('message', (data) => received.push(JSON.parse(String(data)) as Received));
    await new Promise((resolve) => page.once('open', resolve));
    const inspection = startMachineInspection(bridge.wsUrl);
    const slot = createActor(gridSlotMachine, {
      input: {
        namespace: 'T3ST',
        symbol: 'BTCUSDT' as SymbolId,
        slotIndex: -1,
        mode: 'long',
        anchorPrice: '60000',
        interval: '100',
        tickSize: '0.1',
        orderQuantity: '0.002',
      },
      inspect: inspection.inspect,
    });
    try {
      slot.start();
      slot.send({ type: 'slot.open', marketPrice: '60000' });

      await eventually(
        () => received.some((r) => r.type === '@xstate.event' && r.event?.type === 'slot.open'),
        'the slot.open event at the page',
      );
      assert.ok(
        received.some((r) => r.type === '@xstate.actor'),
        'the slot announced itself',
      );
      const states = received
        .filter((r) => r.type === '@xstate.snapshot')
        .map((r) => JSON.stringify(r.snapshot?.value));
      assert.ok(states.includes(JSON.stringify({ opening: 'pending' })), states.join(' '));
    } finally {
      slot.stop();
      inspection.stop();
      page.close();
    }
  });

  it('serves the inspector page on loopback only', async () => {
    assert.match(bridge.pageUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await (await fetch(bridge.pageUrl)).text();
    assert.match(page, /<iframe id="ui" src="https:\/\/stately\.ai\/inspect">/);
  });

  it('is off unless the environment names an endpoint, and refuses one that is not ws://', () => {
    assert.equal(machineInspectionFromEnv({}), undefined);
    assert.equal(machineInspectionFromEnv({ [INSPECT_ENV]: ' ' }), undefined);
    assert.throws(() => startMachineInspection('http://127.0.0.1:8090'), /OPENSQT_INSPECT/);
    assert.throws(() => startMachineInspection('not a url'), /OPENSQT_INSPECT/);
  });
});
