import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createLiveMetrics } from '../../../server/live/live.metrics.js';
import type { UpstreamState } from '../../../server/live/messages.js';

describe('live-server metrics', () => {
  it('exports clients, slow cuts and the upstream state read at scrape time', async () => {
    const metrics = createLiveMetrics();
    let state: UpstreamState = 'connecting';
    let slow = 0;
    metrics.observe({ clients: () => 3, slowDisconnects: () => slow, upstream: () => state });

    const first = await metrics.registry.metrics();
    state = 'live';
    slow = 2;
    const second = await metrics.registry.metrics();

    assert.match(first, /^live_server_clients 3$/m);
    assert.match(first, /^live_server_upstream_state\{state="connecting"\} 1$/m);
    assert.match(first, /^live_server_upstream_state\{state="live"\} 0$/m);
    assert.match(first, /^live_server_clients_cut_slow_total 0$/m);
    assert.match(second, /^live_server_upstream_state\{state="live"\} 1$/m);
    assert.match(second, /^live_server_clients_cut_slow_total 2$/m);
  });

  it('times each broadcast and counts its messages, even when the fan-out throws', async () => {
    let clock = 0;
    const metrics = createLiveMetrics(() => clock);

    metrics.timeBroadcast(3, () => void (clock += 2));
    assert.throws(() =>
      metrics.timeBroadcast(1, () => {
        clock += 1;
        throw new Error('socket gone');
      }),
    );

    const text = await metrics.registry.metrics();
    assert.match(text, /^live_server_broadcast_duration_ms_count 2$/m);
    assert.match(text, /^live_server_broadcast_duration_ms_sum 3$/m);
    assert.match(text, /^live_server_messages_broadcast_total 4$/m);
  });
});
