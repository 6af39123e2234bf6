/**
 * The admin API through `app.request()` (no listener), over a hand-written engine that records
 * what the routes asked of it: health, status, symbol changes with validation errors that name
 * the field and the fix, and the REQ-OBS-001 metrics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ConnectorHealth, EngineStatus } from '../../../actors/engine/engine.js';
import { createEngineMetrics } from '../../../actors/engine/engine.metrics.js';
import type {
  AddSymbolResult,
  SupervisedSymbolView,
} from '../../../actors/engine/orchestrator.actor.js';
import { SymbolRequestError } from '../../../actors/engine/symbol-admission.js';
import type { GridConfig } from '../../../actors/engine/symbol.config.js';
import { ExchangeError } from '../../../core/errors.js';
import { createLogger } from '../../../core/logger.js';
import type { SymbolId } from '../../../core/types.js';
import { createAdminApp } from '../../../server/admin/admin.app.js';
import type { AdminEngine, ProblemBody } from '../../../server/admin/admin.types.js';

/** An engine trading the symbols in `traded`; `refuse` makes the next add throw. */
class FakeEngine implements AdminEngine {
  readonly metrics = createEngineMetrics();
  readonly added: { symbol: SymbolId; grid: GridConfig }[] = [];
  readonly traded = new Set<SymbolId>(['BTCUSDT' as SymbolId]);
  alive = true;
  connectorDown: string | null = null;
  refuse: Error | null = null;
  refuseRemoval: Error | null = null;
  carried: AddSymbolResult['carried'] = [];

  connector(): ConnectorHealth {
    const down = this.connectorDown !== null;
    return {
      venue: 'sim',
      reachable: !down,
      state: down ? 'down' : 'up',
      sinceMs: 1_000,
      reason: this.connectorDown,
      latencyMs: down ? null : 2,
    };
  }

  health() {
    const connector = this.connector();
    if (!this.alive) return { status: 'stopping' as const, connector };
    return { status: connector.reachable ? ('ok' as const) : ('degraded' as const), connector };
  }

  async status(): Promise<EngineStatus> {
    return {
      connector: this.connector(),
      feeds: { price: 120, orders: null, account: 5_000 },
      database: { ok: true, embedded: true },
      symbols: this.symbols(),
      arbitrage: [],
      cluster: null,
    };
  }

  symbols(): SupervisedSymbolView[] {
    return [...this.traded].map((symbol) => ({
      symbol,
      state: 'trading',
      grid: {
        levels_below: 3,
        levels_above: 3,
        interval: '50',
        order_quantity: '0.001',
        mode: 'long',
      },
      failures: 0,
      restarts: 0,
      lastError: null,
      waitingFor: null,
      outages: 0,
      cleanup: null,
      mailbox: { queued: 0, waiting: 0, discarded: 0 },
      actor: null,
    }));
  }

  async addSymbol(symbol: SymbolId, grid: GridConfig): Promise<AddSymbolResult> {
    if (this.refuse) throw this.refuse;
    this.added.push({ symbol, grid });
    if (this.traded.has(symbol)) return { outcome: 'unchanged', carried: [] };
    this.traded.add(symbol);
    return { outcome: 'added', carried: this.carried };
  }

  async removeSymbol(symbol: SymbolId): Promise<boolean> {
    if (this.refuseRemoval) throw this.refuseRemoval;
    return this.traded.delete(symbol);
  }

  collectMetrics(): void {
    this.metrics.feedAge.set({ feed: 'price' }, 120);
  }
}

function setup() {
  const engine = new FakeEngine();
  const app = createAdminApp(engine, createLogger('admin-test', 'silent'));
  const post = (body: unknown) =>
    app.request('/symbols', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { engine, app, post };
}

const ETH_GRID = { interval: '5.0', order_quantity: '0.010', levels_below: 2, levels_above: 1 };

describe('admin API', () => {
  it('reports health 200 while the engine is alive and 503 once it stops', async () => {
    const { engine, app } = setup();
    const alive = await app.request('/health');
    engine.alive = false;
    const stopping = await app.request('/health');

    assert.equal(alive.status, 200);
    assert.equal(((await alive.json()) as { status: string }).status, 'ok');
    assert.equal(stopping.status, 503);
    assert.equal(((await stopping.json()) as { status: string }).status, 'stopping');
  });

  it('reports a connector that does not answer as degraded, with the reason', async () => {
    const { engine, app } = setup();
    engine.connectorDown = 'no answer within 2000 ms (frozen or unreachable)';
    const response = await app.request('/health');
    const body = (await response.json()) as { status: string; connector: ConnectorHealth };

    assert.equal(response.status, 200);
    assert.equal(body.status, 'degraded');
    assert.deepEqual([body.connector.state, body.connector.reachable], ['down', false]);
    assert.match(body.connector.reason ?? '', /no answer within 2000 ms/);
    const status = (await (await app.request('/status')).json()) as EngineStatus;
    assert.equal(status.connector.state, 'down');
  });

  it('lists the inventory a previous grid leaves to the new one', async () => {
    const { engine, post } = setup();
    engine.carried = [{ slot: -1, price: '3495', quantity: '0.01' }];
    const response = await post({ symbol: 'ETHUSDT', grid: ETH_GRID });

    assert.deepEqual(await response.json(), {
      symbol: 'ETHUSDT',
      outcome: 'added',
      carried_inventory: [{ slot: -1, price: '3495', quantity: '0.01' }],
    });
  });

  it('answers 503 when the venue did not confirm a removal', async () => {
    const { engine, app } = setup();
    engine.refuseRemoval = new SymbolRequestError('unavailable', [
      'symbol: BTCUSDT was not removed: the venue still lists its orders after 6 checks (x)',
    ]);
    const response = await app.request('/symbols/BTCUSDT', { method: 'DELETE' });
    const body = (await response.json()) as ProblemBody;

    assert.equal(response.status, 503);
    assert.equal(body.error, 'BTCUSDT was not removed');
    assert.match(body.problems[0] ?? '', /still lists its orders/);
  });

  it('serves the engine status as JSON', async () => {
    const { app } = setup();
    const response = await app.request('/status');
    const body = (await response.json()) as EngineStatus;

    assert.equal(response.status, 200);
    assert.deepEqual(body.feeds, { price: 120, orders: null, account: 5_000 });
    assert.equal(body.connector.state, 'up');
    assert.deepEqual(
      body.symbols.map((s) => [s.symbol, s.state]),
      [['BTCUSDT', 'trading']],
    );
  });

  it('adds a symbol with a normalised grid config and answers 201', async () => {
    const { engine, post } = setup();
    const response = await post({ symbol: 'ETHUSDT', grid: ETH_GRID });

    assert.deepEqual(
      [response.status, await response.json()],
      [201, { symbol: 'ETHUSDT', outcome: 'added' }],
    );
    assert.deepEqual(engine.added, [
      {
        symbol: 'ETHUSDT',
        grid: {
          levelsBelow: 2,
          levelsAbove: 1,
          interval: '5',
          orderQuantity: '0.01',
          mode: 'long',
          anchorPrice: null,
        },
      },
    ]);
  });

  it('refuses an invalid request with one problem per field, each naming the field and the fix', async () => {
    const { engine, post } = setup();
    const response = await post({
      symbol: 'eth-usdt',
      grid: { interval: 5, order_quantity: '-1', levels_below: 1.5, mode: 'short', spread: 2 },
    });
    const body = (await response.json()) as ProblemBody;

    assert.equal(response.status, 400);
    assert.deepEqual(body.problems, [
      'symbol: must be an exchange symbol in capitals, such as "BTCUSDT"',
      'grid.levels_below: must be a whole number of levels below the anchor, e.g. 3',
      'grid.interval: must be a decimal string in quote units, e.g. "50"',
      'grid.order_quantity: must be a plain decimal string in base units, e.g. "0.001"',
      'grid.mode: must be "long" or "neutral"',
      'grid: Unrecognized key: "spread"',
    ]);
    assert.deepEqual(engine.added, []);
  });

  it('answers a body that is not JSON with a problem naming the body', async () => {
    const { post } = setup();
    const response = await post('{"symbol":');
    const body = (await response.json()) as ProblemBody;

    assert.equal(response.status, 400);
    assert.match(body.problems[0] ?? '', /^body: .*; send a JSON object$/);
  });

  it('passes venue refusals through: 400 for an invalid grid, 409 for a conflict', async () => {
    const { engine, post } = setup();
    engine.refuse = new SymbolRequestError('invalid', [
      'grid.interval: must be a multiple of the tick size 0.1, was 0.05',
    ]);
    const invalid = await post({ symbol: 'BTCUSDT', grid: { ...ETH_GRID, interval: '0.05' } });
    engine.refuse = new SymbolRequestError('conflict', ['grid: BTCUSDT slots hold inventory']);
    const conflict = await post({ symbol: 'BTCUSDT', grid: ETH_GRID });

    assert.deepEqual(
      [invalid.status, ((await invalid.json()) as ProblemBody).problems],
      [400, ['grid.interval: must be a multiple of the tick size 0.1, was 0.05']],
    );
    assert.deepEqual(
      [conflict.status, ((await conflict.json()) as ProblemBody).problems],
      [409, ['grid: BTCUSDT slots hold inventory']],
    );
  });

  it('answers 503 when the venue cannot be asked, and 500 without internals on a bug', async () => {
    const { engine, post } = setup();
    engine.refuse = new ExchangeError('EXCHANGE_UNAVAILABLE', 'connector down');
    const unavailable = await post({ symbol: 'ETHUSDT', grid: ETH_GRID });
    engine.refuse = new Error('password=hunter2 in a stack');
    const broken = await post({ symbol: 'ETHUSDT', grid: ETH_GRID });

    assert.deepEqual(
      [unavailable.status, ((await unavailable.json()) as ProblemBody).problems],
      [503, ['connector: the venue could not be asked (EXCHANGE_UNAVAILABLE); try again shortly']],
    );
    assert.deepEqual(
      [broken.status, await broken.json()],
      [500, { error: 'internal error', problems: [] }],
    );
  });

  it('removes a traded symbol, and names the symbol when it is not traded or malformed', async () => {
    const { app } = setup();
    const removed = await app.request('/symbols/BTCUSDT', { method: 'DELETE' });
    const missing = await app.request('/symbols/BTCUSDT', { method: 'DELETE' });
    const malformed = await app.request('/symbols/btc', { method: 'DELETE' });

    assert.deepEqual(
      [removed.status, await removed.json()],
      [200, { symbol: 'BTCUSDT', removed: true }],
    );
    assert.deepEqual(
      [missing.status, ((await missing.json()) as ProblemBody).problems],
      [404, ['symbol: BTCUSDT is not in the active set; traded now: (none)']],
    );
    assert.deepEqual(
      [malformed.status, ((await malformed.json()) as ProblemBody).problems],
      [400, ['symbol: must be an exchange symbol in capitals, such as "BTCUSDT"']],
    );
  });

  it('lists the traded symbols', async () => {
    const { app } = setup();
    const response = await app.request('/symbols');

    assert.deepEqual(await response.json(), [
      {
        symbol: 'BTCUSDT',
        state: 'trading',
        grid: {
          levels_below: 3,
          levels_above: 3,
          interval: '50',
          order_quantity: '0.001',
          mode: 'long',
        },
      },
    ]);
  });

  it('exposes the REQ-OBS-001 metrics in the Prometheus text format, with low-cardinality labels', async () => {
    const { engine, app } = setup();
    engine.metrics.ordersPlaced.inc({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT' });
    engine.metrics.orderRejections.inc({ symbol: 'BTCUSDT', reason: 'POST_ONLY_WOULD_CROSS' });
    const response = await app.request('/metrics');
    const text = await response.text();

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    for (const name of [
      'market_maker_pnl_realized_total',
      'market_maker_pnl_unrealized',
      'market_maker_orders_active',
      'market_maker_orders_placed_total',
      'market_maker_orders_filled_total',
      'market_maker_volume_total',
      'market_maker_position_size',
      'market_maker_latency_exchange_ms',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.match(
      text,
      /market_maker_orders_placed_total\{symbol="BTCUSDT",side="BUY",type="LIMIT"\} 1/,
    );
    assert.match(
      text,
      /market_maker_order_rejections_total\{symbol="BTCUSDT",reason="POST_ONLY_WOULD_CROSS"\} 1/,
    );
    assert.match(text, /market_maker_feed_age_ms\{feed="price"\} 120/);
  });

  it('answers an unknown path with a problem listing the served paths', async () => {
    const { app } = setup();
    const response = await app.request('/slots');

    assert.equal(response.status, 404);
    assert.deepEqual(((await response.json()) as ProblemBody).problems, [
      'path: /slots is not served; use /health, /status, /symbols, /arbitrage, /risk or /metrics',
    ]);
  });
});
