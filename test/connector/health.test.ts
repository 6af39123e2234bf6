import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelCredentials, status as Status } from '@grpc/grpc-js';
import type { TestContext } from 'node:test';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthClient,
  type HealthCheckResponse,
  type HealthListResponse,
} from '../../proto/gen/grpc/health/v1/health.js';
import { eventually, startSimConnector, unaryResult } from '../support/grpc-harness.js';

const EXCHANGE_SERVICE = 'opensqt.market_maker.v1.ExchangeService';

function healthClient(t: TestContext, address: string): HealthClient {
  const client = new HealthClient(address, ChannelCredentials.createInsecure());
  t.after(() => client.close());
  return client;
}

const check = (client: HealthClient, service: string) =>
  unaryResult<HealthCheckResponse>((md, o, done) => client.check({ service }, md, o, done));

describe('grpc.health.v1', () => {
  it('reports SERVING for the server and ExchangeService, NOT_FOUND for other services', async (t) => {
    const sim = await startSimConnector(t);
    const client = healthClient(t, sim.server.address);

    assert.equal((await check(client, '')).response?.status, ServingStatus.SERVING);
    assert.equal((await check(client, EXCHANGE_SERVICE)).response?.status, ServingStatus.SERVING);
    assert.equal((await check(client, 'opensqt.Other')).error?.code, Status.NOT_FOUND);
    const { response } = await unaryResult<HealthListResponse>((md, o, done) =>
      client.list({}, md, o, done),
    );
    assert.deepEqual(response?.statuses, {
      '': { status: ServingStatus.SERVING },
      [EXCHANGE_SERVICE]: { status: ServingStatus.SERVING },
    });
  });

  it('reports NOT_SERVING while the default venue is unreachable and pushes changes to watchers', async (t) => {
    const sim = await startSimConnector(t, { server: { healthPollMs: 10 } });
    const client = healthClient(t, sim.server.address);
    const watched: number[] = [];
    const watch = client.watch({ service: EXCHANGE_SERVICE });
    watch.on('data', (m: HealthCheckResponse) => watched.push(m.status));
    watch.on('error', () => undefined);
    t.after(() => watch.cancel());
    await eventually(() => watched.length === 1, 'the first watch status');

    sim.venue.faults.setUnreachable(true);
    const whileDown = await check(client, '');
    await eventually(() => watched.length === 2, 'the NOT_SERVING push');
    sim.venue.faults.setUnreachable(false);
    await eventually(() => watched.length === 3, 'the SERVING push');

    assert.equal(whileDown.response?.status, ServingStatus.NOT_SERVING);
    assert.deepEqual(watched, [
      ServingStatus.SERVING,
      ServingStatus.NOT_SERVING,
      ServingStatus.SERVING,
    ]);
  });

  it('tells watchers NOT_SERVING and ends their streams on shutdown', async (t) => {
    const sim = await startSimConnector(t);
    const client = healthClient(t, sim.server.address);
    const watched: number[] = [];
    const watch = client.watch({ service: '' });
    watch.on('data', (m: HealthCheckResponse) => watched.push(m.status));
    watch.on('error', () => undefined);
    const ended = new Promise<number>((resolve) => watch.on('status', (s) => resolve(s.code)));
    await eventually(() => watched.length === 1, 'the first watch status');

    await sim.server.shutdown(1000);

    assert.equal(await ended, Status.UNAVAILABLE);
    assert.deepEqual(watched, [ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
  });
});
