/**
 * RiskService over the real fills ledger (PGlite, and PostgreSQL when TEST_DATABASE_URL is set)
 * and hand-written fakes of the risk controller, the reconcile jobs and the account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status as Status } from '@grpc/grpc-js';

import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import type { ClientOrderId, SymbolId } from '../../../core/types.js';
import { OrderHistoryRepo } from '../../../actors/store/order-history.repo.js';
import { OrderIndexRepo } from '../../../actors/store/order-index.repo.js';
import type { RiskAlert } from '../../../proto/gen/opensqt/market_maker/v1/risk.js';
import { AlertFeed } from '../../../server/rpc/alert-feed.js';
import type { LiveSymbol } from '../../../server/rpc/rpc.ports.js';
import {
  TEST_DATABASE_KINDS,
  openTestDatabase,
  type TestDatabase,
} from '../../support/postgres.js';
import {
  FakeReconcile,
  FakeRisk,
  call,
  eventually,
  failure,
  fakeLimits,
  liveSymbol,
  silent,
  startRpc,
  type Harness,
} from './rpc-harness.js';

const BTC = 'BTCUSDT' as SymbolId;
const ETH = 'ETHUSDT' as SymbolId;
const T0 = 1_765_000_000_000;

for (const kind of TEST_DATABASE_KINDS) {
  describe(`RiskService (${kind})`, () => {
    let db: TestDatabase;
    const hooks: (() => unknown)[] = [];
    const t = { after: (fn: () => unknown) => hooks.push(fn) };
    const clock = new VirtualClock(T0);
    const symbols: LiveSymbol[] = [];
    const reconcile = new FakeReconcile();
    const alerts = new AlertFeed(clock, silent);
    let bare: Harness;
    let full: Harness;
    let risk: FakeRisk;
    const limits = fakeLimits(true);

    before(async () => {
      db = await openTestDatabase(kind);
      const index = new OrderIndexRepo(db.sql);
      // Two buys of 0.5 BTC at 100000 (our position 1 BTC), one losing close of 0.2 at 99000
      const fills = [
        ['b1', 'BUY', '0.5', '100000'],
        ['b2', 'BUY', '0.7', '100000'],
        ['s1', 'SELL', '0.2', '99000'],
      ] as const;
      for (const [id, side, quantity, price] of fills) {
        await index.record(
          [],
          [
            {
              venue: 'sim',
              tradeId: `t-${id}`,
              symbol: BTC,
              venueOrderId: `v-${id}`,
              clientOrderId: `osq-${id}` as ClientOrderId,
              side,
              price,
              quantity,
              fee: '1',
              feeAsset: 'USDT',
              realizedPnl: '0',
              isMaker: true,
              tsEvent: T0,
            },
          ],
        );
      }
      symbols.push(
        liveSymbol({
          symbol: BTC,
          mark: dec('101000'),
          exposure: {
            symbol: BTC,
            openingBuyNotional: '9900',
            openingSellNotional: '0',
            heldInventory: '1',
            openOrders: 1,
            inflightOrders: 0,
          },
        }),
        liveSymbol({ symbol: ETH, mark: dec('3000') }),
      );
      reconcile.traded = [BTC, ETH];
      risk = new FakeRisk();
      risk.enabled.add(`drawdown/${BTC}`);
      const history = new OrderHistoryRepo(db.sql);
      const ledger = { symbols: () => symbols };
      bare = await startRpc(t, { history, ledger, clock, reconcile, alerts });
      full = await startRpc(t, { history, ledger, clock, reconcile, alerts, risk, limits });
    });

    after(async () => {
      for (const hook of hooks) await hook();
      await db?.close();
    });

    it('reports risk metrics and exposure from fills, marks, resting orders and the account', async () => {
      const { metrics } = await call<object, { metrics: Record<string, unknown>[] }>(
        full.clients.risk,
        'getRiskMetrics',
        { symbols: [BTC] },
      );
      const m = metrics[0] as Record<string, { value: string } | string | boolean>;
      const v = (k: string) => (m[k] as { value: string } | undefined)?.value;
      assert.deepEqual(
        [v('positionSize'), v('notionalValue'), v('unrealizedPnl'), v('leverage'), v('lastPrice')],
        ['1', '101000', '1000', '10.1', '101000'],
      );
      // 101000 held + 9900 resting against the 50000 per-symbol limit is the binding use
      assert.equal(v('riskScore'), '2.218');
      assert.deepEqual([m.limitBreach, m.limitType], [true, 'max_position_notional']);

      const exposure = await call<object, Record<string, unknown>>(
        full.clients.risk,
        'getExposure',
        {},
      );
      const e = exposure as {
        totalNotional: { value: string };
        totalUnrealizedPnl: { value: string };
        portfolioLeverage: { value: string };
        exposures: {
          symbol: string;
          notionalValue: { value: string };
          percentageOfPortfolio?: { value: string };
        }[];
      };
      assert.deepEqual(
        [e.totalNotional.value, e.totalUnrealizedPnl.value, e.portfolioLeverage.value],
        ['110900', '1000', '10.1'],
      );
      assert.deepEqual(
        e.exposures.map((x) => [x.symbol, x.notionalValue.value, x.percentageOfPortfolio?.value]),
        [
          [BTC, '110900', '100'],
          [ETH, '0', '0'],
        ],
      );
      const unknown = await failure(
        call(full.clients.risk, 'getRiskMetrics', { symbols: ['XRPUSDT'] }),
      );
      assert.equal(unknown.code, Status.NOT_FOUND);
      assert.match(unknown.details, /^symbols\[0\]: /);
    });

    it('opens and closes a symbol breaker through the controller, refusing a reset while the condition holds', async () => {
      const closed = await call<object, { status: Record<string, unknown> }>(
        full.clients.risk,
        'getCircuitBreakerStatus',
        { symbol: BTC },
      );
      assert.deepEqual(
        [
          closed.status.isOpen,
          closed.status.consecutiveLosses,
          (closed.status.totalPnl as { value: string }).value,
        ],
        [false, 1, '-203'],
      );
      await call(full.clients.risk, 'openCircuitBreaker', {
        symbol: BTC,
        reason: 'operator check',
      });
      const open = await call<object, { status: Record<string, unknown> }>(
        full.clients.risk,
        'getCircuitBreakerStatus',
        { symbol: BTC },
      );
      assert.deepEqual(
        [open.status.isOpen, open.status.reason, open.status.openedAt],
        [true, 'drawdown: operator check', 1_700_000_000n],
      );
      risk.breakers[0]!.holds = true;
      const refused = await failure(
        call(full.clients.risk, 'closeCircuitBreaker', { symbol: BTC }),
      );
      assert.equal(refused.code, Status.FAILED_PRECONDITION);
      assert.match(refused.details, /drawdown: the condition still holds: operator check/);
      risk.breakers[0]!.holds = false;
      await call(full.clients.risk, 'closeCircuitBreaker', { symbol: BTC });
      assert.equal(risk.breakers.length, 0);
      const notEnabled = await failure(
        call(full.clients.risk, 'openCircuitBreaker', { symbol: ETH, reason: '' }),
      );
      assert.equal(notEnabled.code, Status.FAILED_PRECONDITION);
      assert.match(notEnabled.details, /not enabled for ETHUSDT/);
    });

    it('answers breaker status without a risk controller, and refuses breaker control', async () => {
      symbols[1] = { ...symbols[1]!, divergencePaused: true };
      const status = await call<object, { status: Record<string, unknown> }>(
        bare.clients.risk,
        'getCircuitBreakerStatus',
        { symbol: ETH },
      );
      assert.equal(status.status.isOpen, true);
      assert.match(String(status.status.reason), /^position_divergence/);
      symbols[1] = { ...symbols[1]!, divergencePaused: false };
      for (const method of ['openCircuitBreaker', 'closeCircuitBreaker']) {
        const e = await failure(call(bare.clients.risk, method, { symbol: BTC, reason: 'x' }));
        assert.equal(e.code, Status.FAILED_PRECONDITION);
        assert.match(e.details, /^risk layer not enabled/);
      }
    });

    it('triggers a reconciliation through the jobs and reports it once every symbol ran', async () => {
      const started = await call<object, { reconciliationId: string; status: string }>(
        full.clients.risk,
        'triggerReconciliation',
        { symbol: '' },
      );
      assert.match(started.reconciliationId, /^rec-[0-9a-f]{32}$/);
      assert.equal(started.status, 'running');
      assert.deepEqual(reconcile.requested.slice(-2), [BTC, ETH]);
      const again = await call<object, { reconciliationId: string }>(
        full.clients.risk,
        'triggerReconciliation',
        { symbol: BTC },
      );
      assert.equal(reconcile.requested.length, 2, 'one queued manual run per symbol');
      reconcile.finish(BTC, T0 - 1, '1', '1'); // a run from before the trigger does not count
      reconcile.finish(BTC, T0, '1.5', '1');
      const running = await call<object, { status: string; results: unknown[] }>(
        full.clients.risk,
        'getReconciliationStatus',
        { reconciliationId: started.reconciliationId },
      );
      assert.deepEqual([running.status, running.results.length], ['running', 1]);
      reconcile.finish(ETH, T0 + 5, '0', '0', 'timer'); // not ours
      reconcile.finish(ETH, T0 + 6, '0', '0');
      const done = await call<
        object,
        { status: string; startedAt: bigint; results: Record<string, unknown>[] }
      >(full.clients.risk, 'getReconciliationStatus', {
        reconciliationId: started.reconciliationId,
      });
      assert.equal(done.status, 'completed');
      assert.equal(done.startedAt, BigInt(Math.floor(T0 / 1000)));
      const btc = done.results[0]!;
      assert.deepEqual(
        [btc.symbol, btc.positionMatch, (btc.divergence as { value: string }).value, btc.corrected],
        [BTC, false, '0.5', true],
      );
      const second = await call<object, { status: string }>(
        full.clients.risk,
        'getReconciliationStatus',
        { reconciliationId: again.reconciliationId },
      );
      assert.equal(second.status, 'completed', 'the queued run answered both triggers');
      const unknown = await failure(
        call(full.clients.risk, 'getReconciliationStatus', {
          reconciliationId: `rec-${'0'.repeat(32)}`,
        }),
      );
      assert.equal(unknown.code, Status.NOT_FOUND);
      const bad = await failure(
        call(full.clients.risk, 'getReconciliationStatus', { reconciliationId: 'x' }),
      );
      assert.match(bad.details, /^reconciliation_id: /);
      const untraded = await failure(
        call(full.clients.risk, 'triggerReconciliation', { symbol: 'XRPUSDT' }),
      );
      assert.equal(untraded.code, Status.INVALID_ARGUMENT);
      assert.match(untraded.details, /^symbol: XRPUSDT is not traded/);
    });

    it('streams a greeting, then every alert as it is published', async () => {
      const stream = full.clients.risk.subscribeRiskAlerts({});
      const got: RiskAlert[] = [];
      stream.on('data', (a: RiskAlert) => got.push(a));
      stream.on('error', () => undefined);
      await eventually(() => got.length === 1 && alerts.subscribers === 1, 'the greeting');
      alerts.divergence({
        symbol: BTC,
        severity: 'large',
        venue: '1.5',
        grid: '1',
        divergence: '0.5',
        divergencePct: '25',
        atMs: T0 + 2_000,
      });
      await eventually(() => got.length === 2, 'the divergence alert');
      assert.equal(got[0]?.alertType, 'connected');
      assert.deepEqual(
        [
          got[1]?.symbol,
          got[1]?.alertType,
          got[1]?.severity,
          got[1]?.timestamp,
          got[1]?.metadata.divergence,
        ],
        [BTC, 'reconcile_divergence', 'warning', BigInt(Math.floor((T0 + 2_000) / 1000)), '0.5'],
      );
      stream.cancel();
      await eventually(() => alerts.subscribers === 0, 'the unsubscription');
    });

    it('reads the limits and changes them only where a live checker runs', async () => {
      const read = await call<object, Record<string, { value: string } | string>>(
        full.clients.risk,
        'getPositionLimits',
        { symbol: BTC },
      );
      const value = (k: string) => (read[k] as { value: string }).value;
      assert.deepEqual(
        [value('maxNotionalValue'), value('maxLeverage'), value('maxOrderSize').slice(0, 8)],
        ['50000', '10', '0.099009'],
      );
      const changed = await call<object, { success: boolean; message: string }>(
        full.clients.risk,
        'updatePositionLimits',
        { symbol: BTC, maxPositionSize: { value: '2' }, reason: 'bigger grid' },
      );
      assert.equal(changed.success, true);
      assert.equal(limits.current.maxPositionNotional?.toFixed(), '202000');
      const off = await failure(
        call(bare.clients.risk, 'updatePositionLimits', {
          symbol: '',
          maxNotionalValue: { value: '1' },
          reason: '',
        }),
      );
      assert.equal(off.code, Status.FAILED_PRECONDITION);
      const cases: [object, RegExp][] = [
        [
          { symbol: BTC, maxNotionalValue: { value: '-1' }, reason: '' },
          /^max_notional_value: must be positive/,
        ],
        [{ symbol: BTC, maxNotionalValue: { value: '12,5' }, reason: '' }, /^max_notional_value: /],
        [{ symbol: BTC, reason: '' }, /nothing to change/],
        [
          { symbol: BTC, maxNotionalValue: { value: '1' }, reason: 'a\nb' },
          /^reason: contains control/,
        ],
        [{ symbol: '', maxOrderSize: { value: '1' }, reason: '' }, /^symbol: is required with/],
      ];
      for (const [request, pattern] of cases) {
        const e = await failure(call(full.clients.risk, 'updatePositionLimits', request));
        assert.equal(e.code, Status.INVALID_ARGUMENT);
        assert.match(e.details, pattern);
      }
    });
  });
}
