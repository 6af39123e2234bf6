/**
 * End to end, the risk layer: a real connector (gRPC, in this process) over the simulated venue,
 * the market-maker process on the embedded PGlite (and PostgreSQL when TEST_DATABASE_URL is set),
 * and local fake Slack and Telegram servers. A price stream that goes silent pauses entries (the
 * resting ones are pulled) until it is fresh again; a Telegram /pause from a chat that is not a
 * control chat changes nothing and gets no answer; injected venue latency trips the latency
 * breaker until the slow calls leave its window; a global exposure cap set at runtime refuses
 * the entry that would reopen a level but lets the level's close through; a price crash trips the drawdown breaker:
 * entries stop, every order of ours is cancelled, and the alert reaches Slack and Telegram; after
 * a SIGKILL and a restart the breaker is still open and nothing is placed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Exchange } from '../../core/exchange.port.js';
import type { PriceChange } from '../../core/exchange.types.js';
import type { StreamSink } from '../../core/stream.js';
import { FakeSlack, FakeTelegram } from '../support/fake-alert-servers.js';
import {
  DATABASE_CASES,
  EngineFleet,
  eventually,
  kill,
  makeTempDir,
  openEngineDatabase,
  removeTempDir,
  startVenue,
  writeEngineConfig,
  type EngineDatabase,
  type EngineProcess,
  type VenueUnderTest,
} from './support/engine-process.js';

const SYMBOL = 'BTCUSDT';
const WAIT_MS = 30_000;
const TOKEN = '123456:TEST-token';
const CONTROL_CHAT = 42;
const STRANGER_CHAT = 99;

/** A venue whose price stream can be silenced (no error, no update: a stalled feed). */
function silenceable(venue: Exchange, state: { silent: boolean }): Exchange {
  return new Proxy(venue, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'subscribePrice') {
        return (symbols: readonly string[], sink: StreamSink<PriceChange>) =>
          target.subscribePrice(symbols, {
            ...sink,
            next: (p) => {
              if (!state.silent) sink.next(p);
            },
          });
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface RiskReport {
  trading: { scope: string; state: string; effective: string; holds: { source: string }[] }[];
  breakers: { breaker: string; scope: string; state: string; reason: string | null }[];
}

async function riskOf(engine: EngineProcess): Promise<RiskReport> {
  const response = await fetch(`${engine.adminUrl}/risk`);
  assert.equal(response.status, 200);
  return (await response.json()) as RiskReport;
}

async function metricsText(engine: EngineProcess): Promise<string> {
  return (await fetch(`${engine.adminUrl}/metrics`)).text();
}

function breaker(report: RiskReport, name: string, scope = SYMBOL) {
  return report.breakers.find((b) => b.breaker === name && b.scope === scope);
}

for (const dbCase of DATABASE_CASES) {
  describe(`market-maker risk layer on ${dbCase.name}`, () => {
    let dir: string | undefined;
    let venue: VenueUnderTest | undefined;
    let database: EngineDatabase | undefined;
    let slack: FakeSlack | undefined;
    let telegram: FakeTelegram | undefined;
    let config: string;
    const feed = { silent: false };
    const fleet = new EngineFleet();
    let env: Record<string, string>;

    before(async () => {
      dir = await makeTempDir();
      venue = await startVenue([SYMBOL], { wrap: (v) => silenceable(v, feed) });
      database = await openEngineDatabase(dbCase.kind, dir);
      slack = await new FakeSlack().start();
      telegram = await new FakeTelegram(TOKEN).start();
      telegram.chats.add(String(CONTROL_CHAT));
      env = {
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
        TELEGRAM_BOT_TOKEN: TOKEN,
      };
      config = await writeEngineConfig(dir, venue.address, database, [
        `  - symbol: ${SYMBOL}`,
        '    grid: { levels_below: 2, levels_above: 0, interval: "100", order_quantity: "0.001",',
        '            anchor_price: "100000" }',
        'risk:',
        '  breakers:',
        '    drawdown: { max_drawdown_pct: "2" }',
        '    stale_price: { max_age_ms: 3000 }',
        '    latency: { max_p99_ms: 400, window_ms: 6000, min_samples: 4, cooldown_ms: 500 }',
        'alerts:',
        '  slack:',
        `    base_url: ${slack.url}`,
        '  telegram:',
        `    api_base_url: ${telegram.url}`,
        `    alert_chat_ids: ["${CONTROL_CHAT}"]`,
        `    control_chat_ids: ["${CONTROL_CHAT}"]`,
        '  delivery: { poll_ms: 200, initial_backoff_ms: 200 }',
      ]);
    });

    after(async () => {
      await fleet.killAll();
      await venue?.close();
      await database?.close();
      await slack?.close();
      await telegram?.close();
      await removeTempDir(dir);
    });

    const openOrders = async () => (await venue!.venue.getOpenOrders(SYMBOL)).length;

    it('pauses entries on a silent price stream, obeys no stranger, trips the drawdown breaker on a crash and keeps it across a SIGKILL', async () => {
      const v = venue!;
      let engine = await fleet.start(config, env);
      await eventually(async () => (await openOrders()) === 2, 'two resting buys', WAIT_MS);

      // A stalled price stream: entries pause and the resting ones are pulled, until it is fresh
      feed.silent = true;
      await eventually(
        async () => breaker(await riskOf(engine), 'stale_price')?.state === 'open',
        'the stale price breaker open',
        WAIT_MS,
      );
      await eventually(async () => (await openOrders()) === 0, 'resting entries pulled', WAIT_MS);
      feed.silent = false;
      await eventually(
        async () => breaker(await riskOf(engine), 'stale_price')?.state === 'closed',
        'the stale price breaker closed again',
        WAIT_MS,
      );
      await eventually(async () => (await openOrders()) === 2, 'entries again', WAIT_MS);

      // Injected venue latency (every call, the connector probe's included) trips the latency
      // breaker: entries pause globally until the slow calls have left the window
      v.sim.faults.latencyMs = 900;
      await eventually(
        async () => breaker(await riskOf(engine), 'latency', 'global')?.state === 'open',
        'the latency breaker open',
        WAIT_MS,
      );
      await eventually(async () => (await openOrders()) === 0, 'entries pulled', WAIT_MS);
      v.sim.faults.latencyMs = 0;
      await eventually(
        async () => breaker(await riskOf(engine), 'latency', 'global')?.state === 'closed',
        'the latency breaker closed again',
        WAIT_MS,
      );
      await eventually(async () => (await openOrders()) === 2, 'entries after latency', WAIT_MS);

      // A global exposure cap at runtime: a bad value is refused naming the field; the close of a
      // filled level goes through, the entry that would reopen it does not
      const limits = (body: unknown) =>
        fetch(`${engine.adminUrl}/risk/limits`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await limits({ max_gross_exposure: 'lots' });
      assert.equal(bad.status, 400);
      const problems = ((await bad.json()) as { problems: string[] }).problems;
      assert.match(problems[0] ?? '', /^max_gross_exposure: /);
      assert.equal((await limits({ max_gross_exposure: '150' })).status, 200);
      v.sim.setSpotPrice(SYMBOL, '99880');
      await eventually(
        async () => (await v.venue.getOpenOrders(SYMBOL)).some((o) => o.side === 'SELL'),
        'the close of level -1 under the cap',
        WAIT_MS,
      );
      v.sim.setSpotPrice(SYMBOL, '100020');
      await eventually(
        async () => (await metricsText(engine)).includes('reason="GLOBAL_EXPOSURE"'),
        'the reopening entry denied',
        WAIT_MS,
      );
      assert.equal((await v.venue.getPositions(SYMBOL))[0]?.size.toFixed() ?? '0', '0');
      assert.equal(await openOrders(), 1);
      assert.equal((await limits({ max_gross_exposure: '200000' })).status, 200);
      v.sim.setSpotPrice(SYMBOL, '100000');
      await eventually(
        async () => (await openOrders()) === 2,
        'entries under the old cap',
        WAIT_MS,
      );

      // A /pause from a chat that is not a control chat: no answer, no change
      telegram!.pushText(STRANGER_CHAT, `/pause ${SYMBOL}`);
      await eventually(() => telegram!.pendingUpdates === 0, 'the update consumed', WAIT_MS);
      telegram!.pushText(CONTROL_CHAT, '/status');
      await eventually(
        () =>
          telegram!.messages.some(
            (m) => m.chatId === String(CONTROL_CHAT) && /BTCUSDT/.test(m.text),
          ),
        'the control chat answered',
        WAIT_MS,
      );
      assert.ok(!telegram!.messages.some((m) => m.chatId === String(STRANGER_CHAT)));
      const afterStranger = await riskOf(engine);
      const own = afterStranger.trading.find((t) => t.scope === SYMBOL);
      assert.ok(!own?.holds.some((h) => h.source === 'operator'), 'no operator hold');

      // Level -1 fills, then the market crashes under it: drawdown ≥ 2 % of the grid's capital
      v.sim.setSpotPrice(SYMBOL, '99880');
      await eventually(
        async () => (await v.venue.getOpenOrders(SYMBOL)).some((o) => o.side === 'SELL'),
        'the close of level -1',
        WAIT_MS,
      );
      v.sim.setSpotPrice(SYMBOL, '95000');
      await eventually(
        async () => breaker(await riskOf(engine), 'drawdown')?.state === 'open',
        'the drawdown breaker open',
        WAIT_MS,
      );
      await eventually(async () => (await openOrders()) === 0, 'every order cancelled', WAIT_MS);
      await eventually(
        () => slack!.posts.some((p) => JSON.stringify(p.body).includes('drawdown')),
        'the Slack alert',
        WAIT_MS,
      );
      await eventually(
        () => telegram!.messages.some((m) => m.text.includes('drawdown')),
        'the Telegram alert',
        WAIT_MS,
      );
      const placed = v.placements.length;

      // SIGKILL and restart: the breaker is still open, the symbol halted, nothing placed
      await kill(engine.child, 'SIGKILL');
      engine = await fleet.start(config, env);
      const restored = await riskOf(engine);
      assert.equal(breaker(restored, 'drawdown')?.state, 'open');
      assert.equal(restored.trading.find((t) => t.scope === SYMBOL)?.effective, 'HALTED');
      v.sim.setSpotPrice(SYMBOL, '95010');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(await openOrders(), 0);
      assert.equal(v.placements.length, placed, 'nothing placed after the restart');
      const slackAlerts = slack!.posts.filter((p) => JSON.stringify(p.body).includes('tripped'));
      assert.equal(
        new Set(slackAlerts.map((p) => JSON.stringify(p.body))).size,
        slackAlerts.length,
        'no alert delivered twice',
      );
      await kill(engine.child, 'SIGTERM');
    });
  });
}
