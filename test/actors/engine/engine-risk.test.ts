/**
 * The engine's risk layer on its own (virtual clock, in-memory store): a silent price stream
 * trips the stale price breaker while the connector answers, but not during a connector outage
 * (supervision stops trading then), and ages again from the moment the connector answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Registry } from 'prom-client';

import { EngineRisk } from '../../../actors/engine/engine-risk.js';
import { gridConfigFromWire, gridConfigSchema } from '../../../actors/engine/symbol.config.js';
import { riskConfigSchema } from '../../../actors/risk/risk.config.js';
import { createRiskMetrics } from '../../../actors/risk/risk.metrics.js';
import { VirtualClock } from '../../../core/clock.js';
import { dec } from '../../../core/decimal.js';
import { createLogger } from '../../../core/logger.js';

async function staleSetup() {
  const clock = new VirtualClock();
  const risk = await EngineRisk.open({
    config: riskConfigSchema.parse({ breakers: { stale_price: { max_age_ms: 2_000 } } }),
    store: { save: (_k, _s, v) => Promise.resolve(v + 1), loadAll: () => Promise.resolve([]) },
    clock,
    log: createLogger('engine-risk-test', 'silent'),
    metrics: createRiskMetrics(new Registry()),
    onState: () => undefined,
    onError: (e) => {
      throw e;
    },
  });
  const grid = gridConfigFromWire(
    gridConfigSchema.parse({ levels_below: 2, interval: '100', order_quantity: '0.001' }),
  );
  risk.addSymbol('BTCUSDT', grid, dec('100000'));
  risk.start();
  return { clock, risk };
}

describe('EngineRisk', () => {
  it('pauses entries on a silent price stream while the connector answers', async () => {
    const { clock, risk } = await staleSetup();
    risk.price('BTCUSDT', dec('100000'));
    clock.advance(1_000);
    assert.equal(risk.state('BTCUSDT'), 'ACTIVE');
    clock.advance(3_000);
    assert.equal(risk.state('BTCUSDT'), 'REDUCING');
    risk.price('BTCUSDT', dec('100000'));
    clock.advance(1_000);
    assert.equal(risk.state('BTCUSDT'), 'ACTIVE');
    await risk.stop();
  });

  it('lets no feed age during a connector outage, and ages it again once the connector answers', async () => {
    const { clock, risk } = await staleSetup();
    risk.price('BTCUSDT', dec('100000'));
    risk.connector(false);
    clock.advance(20_000);
    assert.equal(risk.state('BTCUSDT'), 'ACTIVE');
    risk.connector(true);
    clock.advance(1_000);
    assert.equal(risk.state('BTCUSDT'), 'ACTIVE');
    clock.advance(3_000);
    assert.equal(risk.state('BTCUSDT'), 'REDUCING', 'silent after the outage: stale again');
    await risk.stop();
  });
});
