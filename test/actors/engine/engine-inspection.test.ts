/**
 * `OPENSQT_INSPECT` reaches the engine's machines: a symbol actor started with it set streams its
 * grid slots' events to a page on the inspector bridge, with no observer threaded through by hand.
 * (Its own file: the inspection is read from the environment once per process.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { WebSocket } from 'ws';

import { INSPECT_ENV } from '../../../actors/engine/machine-inspection.js';
import {
  startInspectorBridge,
  type InspectorBridge,
} from '../../../server/inspector/inspector-bridge.js';
import { createTestVenue, eventually, openEngineTestBed, type EngineTestBed } from './harness.js';
import { startSymbol } from './symbol-fixture.js';

interface Received {
  readonly type: string;
  readonly event?: { readonly type: string };
  readonly sessionId?: string;
}

describe('engine machines under OPENSQT_INSPECT', () => {
  let bridge: InspectorBridge;
  let bed: EngineTestBed;
  before(async () => {
    bridge = await startInspectorBridge(0);
    process.env[INSPECT_ENV] = bridge.wsUrl;
    bed = await openEngineTestBed();
  });
  after(async () => {
    await bed.close();
    await bridge.close();
  });

  it("streams every grid slot's events to the inspector page", async () => {
    const received: Received[] = [];
    const page = new WebSocket(bridge.wsUrl);
    page.on('message', (data) => received.push(JSON.parse(String(data)) as Received));
    await new Promise((resolve) => page.once('open', resolve));
    const venue = createTestVenue();
    bed.useVenue(venue.exchange);
    const btc = await startSymbol(bed, venue);
    try {
      await eventually(() => btc.slot(-2)?.state === 'opening.resting', 'the grid resting');
      const opened = await eventually(() => {
        const sessions = new Set(
          received
            .filter((r) => r.type === '@xstate.event' && r.event?.type === 'slot.open')
            .map((r) => r.sessionId),
        );
        return sessions.size >= 2 ? sessions : undefined;
      }, 'slot.open from both buy slots at the page');
      assert.equal(opened.size, 2);
      await eventually(
        () =>
          received.some((r) => r.type === '@xstate.event' && r.event?.type === 'order.accepted'),
        "the venue's acceptance at the page too",
      );
    } finally {
      await btc.stop();
      page.close();
    }
  });
});
