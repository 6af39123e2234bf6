/**
 * The engine gRPC server's lifecycle: open streams end with UNAVAILABLE on shutdown, so
 * subscribers know to resubscribe instead of hanging.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status as Status, type ServiceError } from '@grpc/grpc-js';

import { OrderHistoryRepo } from '../../../actors/store/order-history.repo.js';
import type { RiskAlert } from '../../../proto/gen/opensqt/market_maker/v1/risk.js';
import { eventually, startRpc } from './rpc-harness.js';

describe('startEngineRpcServer', () => {
  it('ends every open stream with UNAVAILABLE when it shuts down', async (t) => {
    const rpc = await startRpc(t, { history: new OrderHistoryRepo(undefined as never) });
    const stream = rpc.clients.risk.subscribeRiskAlerts({});
    const got: RiskAlert[] = [];
    let ended = null as ServiceError | null;
    stream.on('data', (a: RiskAlert) => got.push(a));
    stream.on('error', (e: ServiceError) => (ended = e));
    await eventually(() => got.length === 1, 'the greeting');

    await rpc.shutdown(1_000);

    const error = await eventually(() => ended ?? undefined, 'the end of the stream');
    assert.equal(error.code, Status.UNAVAILABLE);
    assert.match(error.details, /engine shutting down/);
  });
});
