import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelCredentials, status as Status } from '@grpc/grpc-js';
import { createAuthInterceptor } from '../../connector/auth.js';
import { connectRemoteExchange } from '../../connector/exchange.client.js';
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthClient,
  type HealthCheckResponse,
} from '../../proto/gen/grpc/health/v1/health.js';
import type { GetNameResponse } from '../../proto/gen/opensqt/market_maker/v1/exchange.js';
import {
  fakeVenue,
  header,
  metadata,
  rawClient,
  remote,
  startConnector,
  unaryResult,
} from '../support/grpc-harness.js';

const KEY = 'k3y-for-tests-0123456789';

describe('API-key auth', () => {
  it('refuses calls without a key or with a wrong one, and admits the right key either way', async (t) => {
    const server = await startConnector(t, fakeVenue('sim', {}), {
      apiKeys: ['other-key-0123456789', KEY],
    });
    const client = rawClient(t, server.address);
    const getName = (pairs: Record<string, string>) =>
      unaryResult<GetNameResponse>(
        (md, o, done) => client.getName({}, md, o, done),
        metadata(pairs),
      );

    const missing = await getName({});
    const wrong = await getName({ 'x-api-key': `${KEY}x` });
    const direct = await getName({ 'x-api-key': KEY });
    const bearer = await getName({ authorization: `Bearer ${KEY}` });

    assert.equal(missing.error?.code, Status.UNAUTHENTICATED);
    assert.match(missing.error?.details ?? '', /missing API key: send metadata "x-api-key/);
    assert.equal(header(missing.error?.metadata, 'x-error-reason'), 'AUTHENTICATION');
    assert.equal(wrong.error?.code, Status.UNAUTHENTICATED);
    assert.match(wrong.error?.details ?? '', /invalid API key/);
    assert.equal(direct.response?.name, 'sim');
    assert.equal(bearer.response?.name, 'sim');
  });

  it('leaves health checks open', async (t) => {
    const server = await startConnector(t, fakeVenue('sim', {}), { apiKeys: [KEY] });
    const client = new HealthClient(server.address, ChannelCredentials.createInsecure());
    t.after(() => client.close());

    const { response } = await unaryResult<HealthCheckResponse>((md, o, done) =>
      client.check({ service: '' }, md, o, done),
    );

    assert.equal(response?.status, ServingStatus.SERVING);
  });

  it('lets RemoteExchange in with its key and refuses it at once without', async (t) => {
    const server = await startConnector(t, fakeVenue('sim', {}), { apiKeys: [KEY] });

    const exchange = await remote(t, server.address, { apiKey: KEY });
    await assert.rejects(
      connectRemoteExchange(server.address, { connectAttempts: 5, initialBackoffMs: 1000 }),
      new RegExp(`exchange connector at ${server.address} refused: missing API key`),
    );

    assert.equal(exchange.name, 'sim');
  });

  it('refuses to build without keys', () => {
    assert.throws(() => createAuthInterceptor([]), /at least one API key/);
  });
});
