import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sign } from 'hono/jwt';
import {
  Authenticator,
  ConnectionGate,
  ConnectionRateLimiter,
  credentialOf,
  isOriginAllowed,
} from '../../../server/live/admission.js';

describe('ConnectionRateLimiter', () => {
  it('allows a burst, then refills at the configured rate per address', () => {
    let now = 0;
    const limiter = new ConnectionRateLimiter(2, 3, () => now);
    const taken = [1, 2, 3, 4].map(() => limiter.tryTake('10.0.0.1'));
    assert.deepEqual(taken, [true, true, true, false]);
    assert.equal(limiter.tryTake('10.0.0.2'), true);

    now = 499;
    assert.equal(limiter.tryTake('10.0.0.1'), false);
    now = 1000;
    assert.equal(limiter.tryTake('10.0.0.1'), true);
  });

  it('forgets addresses whose bucket has refilled', () => {
    let now = 0;
    const limiter = new ConnectionRateLimiter(10, 20, () => now);
    for (let i = 0; i < 50; i++) limiter.tryTake(`10.0.0.${i}`);
    assert.equal(limiter.tracked, 50);

    now = 61_000;
    limiter.tryTake('10.0.1.1');
    assert.equal(limiter.tracked, 1);
  });
});

describe('ConnectionGate', () => {
  it('admits up to the cap and frees a slot once per release', () => {
    const gate = new ConnectionGate(2);
    const a = gate.tryAdmit();
    const b = gate.tryAdmit();
    assert.equal(gate.tryAdmit(), undefined);

    a?.();
    a?.();
    assert.equal(gate.count, 1);
    assert.notEqual(gate.tryAdmit(), undefined);
    assert.equal(gate.tryAdmit(), undefined);
    b?.();
    assert.equal(gate.count, 1);
  });
});

describe('isOriginAllowed', () => {
  const allowed = ['http://localhost:3000'];

  it('lets programs without an Origin header and the page own origin through', () => {
    assert.equal(isOriginAllowed(undefined, 'example.com:8888', allowed), true);
    assert.equal(isOriginAllowed('https://example.com:8888', 'example.com:8888', allowed), true);
  });

  it('accepts listed origins and refuses others and garbage', () => {
    assert.equal(isOriginAllowed('http://localhost:3000', 'h:1', allowed), true);
    assert.equal(isOriginAllowed('http://localhost:3001', 'h:1', allowed), false);
    assert.equal(isOriginAllowed('https://localhost:3000', 'h:1', allowed), false);
    assert.equal(isOriginAllowed('null', 'h:1', allowed), false);
    assert.equal(isOriginAllowed('http://evil.example', 'h:1', ['*']), true);
  });
});

describe('Authenticator', () => {
  const key = 'a'.repeat(32);

  it('refuses to be built without keys or a secret', () => {
    assert.throws(() => new Authenticator({ apiKeys: [], jwtSecret: '' }), /nobody can connect/);
  });

  it('accepts a configured API key only', async () => {
    const auth = new Authenticator({ apiKeys: [key], jwtSecret: '' });
    assert.equal(await auth.accepts(key), true);
    assert.equal(await auth.accepts(key.slice(1)), false);
    assert.equal(await auth.accepts(undefined), false);
    assert.equal(await auth.accepts(''), false);
  });

  it('accepts a JWT signed with the secret and refuses expired or foreign ones', async () => {
    const auth = new Authenticator({ apiKeys: [], jwtSecret: 'shh-secret' });
    const nowSecs = Math.floor(Date.now() / 1000);
    const good = await sign({ sub: 'viewer', exp: nowSecs + 60 }, 'shh-secret');
    const expired = await sign({ sub: 'viewer', exp: nowSecs - 60 }, 'shh-secret');
    const foreign = await sign({ sub: 'viewer', exp: nowSecs + 60 }, 'other-secret');

    assert.equal(await auth.accepts(good), true);
    assert.equal(await auth.accepts(expired), false);
    assert.equal(await auth.accepts(foreign), false);
  });
});

describe('credentialOf', () => {
  const headers =
    (h: Record<string, string>) =>
    (name: string): string | undefined =>
      h[name];

  it('reads a bearer token first, then x-api-key, then the token query parameter', () => {
    assert.equal(credentialOf(headers({ authorization: 'Bearer abc ' }), 'q'), 'abc');
    assert.equal(credentialOf(headers({ 'x-api-key': 'k' }), 'q'), 'k');
    assert.equal(credentialOf(headers({}), 'q'), 'q');
    assert.equal(credentialOf(headers({ authorization: 'Basic xyz' }), undefined), undefined);
  });
});
