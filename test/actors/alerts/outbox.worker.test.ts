/**
 * Alert delivery end to end through the outbox: Alerter → alert_outbox → OutboxWorker → the real
 * Slack and Telegram clients → local fake servers. Time is a virtual clock; HTTP is real.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { pino } from 'pino';

import { Alerter } from '../../../actors/alerts/alerter.js';
import type { Alert } from '../../../actors/alerts/alert.types.js';
import { OutboxWorker, type DeliveryOutcome } from '../../../actors/alerts/outbox.worker.js';
import { SlackChannel } from '../../../actors/alerts/slack.channel.js';
import { TelegramChannel } from '../../../actors/alerts/telegram.channel.js';
import { AlertOutboxRepo } from '../../../actors/store/alert-outbox.repo.js';
import { VirtualClock } from '../../../core/clock.js';
import { FakeSlack, FakeTelegram } from '../../support/fake-alert-servers.js';
import {
  openTestDatabase,
  TEST_DATABASE_KINDS,
  type TestDatabase,
} from '../../support/postgres.js';

const TOKEN = '123456:SECRET-token-do-not-log';
const WEBHOOK_PATH = '/services/T000/B000/XXXX';
const CHAT = '1001';
const POLICY = {
  pollMs: 1_000,
  leaseMs: 30_000,
  batch: 10,
  maxAttempts: 4,
  initialBackoffMs: 1_000,
  maxBackoffMs: 60_000,
};

let sequence = 0;
function alert(overrides: Partial<Alert> = {}): Alert {
  sequence += 1;
  return {
    kind: 'breaker_tripped',
    severity: 'error',
    title: 'Breaker drawdown tripped on BTCUSDT',
    body: 'Entries paused and resting entries cancelled.',
    fields: { symbol: 'BTCUSDT', reason: 'drawdown 12% ≥ 10%' },
    dedupKey: `breaker_tripped:BTCUSDT:drawdown:${sequence}`,
    ...overrides,
  };
}

/** A logger whose lines are kept, to check that no secret is ever logged. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

for (const kind of TEST_DATABASE_KINDS) {
  describe(`alert outbox delivery (${kind})`, () => {
    let db: TestDatabase;
    let slack: FakeSlack;
    let telegram: FakeTelegram;
    let repo: AlertOutboxRepo;
    let clock: VirtualClock;
    let log: ReturnType<typeof capturingLogger>;
    let outcomes: DeliveryOutcome[];

    before(async () => {
      db = await openTestDatabase(kind);
      repo = new AlertOutboxRepo(db.sql);
    });

    after(async () => {
      await db.close();
    });

    beforeEach(async () => {
      await db.sql`DELETE FROM alert_outbox`;
      slack = await new FakeSlack().start();
      telegram = await new FakeTelegram(TOKEN).start();
      telegram.chats.add(CHAT);
      clock = new VirtualClock();
      log = capturingLogger();
      outcomes = [];
    });

    afterEach(async () => {
      await slack.close();
      await telegram.close();
    });

    function setup(
      destinations = ['slack', `telegram:${CHAT}`],
      rateLimit = { max: 5, windowMs: 60_000 },
    ) {
      const worker = new OutboxWorker({
        repo,
        clock,
        logger: log.logger,
        policy: POLICY,
        random: () => 0.5,
        onDelivery: (_channel, outcome) => outcomes.push(outcome),
        channels: [
          new SlackChannel({ webhookUrl: `${slack.url}${WEBHOOK_PATH}`, timeoutMs: 2_000 }),
          new TelegramChannel({ token: TOKEN, apiRoot: telegram.url, timeoutMs: 2_000 }),
        ],
      });
      const alerter = new Alerter({
        repo,
        destinations,
        clock,
        logger: log.logger,
        rateLimit,
        minSeverity: 'info',
      });
      return { worker, alerter };
    }

    it('delivers one alert to Slack and to Telegram, once each', async () => {
      const { worker, alerter } = setup();
      await alerter.raise(alert());

      await worker.drain();
      await worker.drain();

      assert.equal(slack.posts.length, 1);
      assert.equal(
        slack.posts[0]?.body.attachments?.[0]?.pretext,
        '[ERROR] Breaker drawdown tripped on BTCUSDT',
      );
      assert.match(slack.posts[0]?.body.text ?? '', /reason: drawdown 12% ≥ 10%/);
      assert.equal(telegram.messages.length, 1);
      assert.equal(telegram.messages[0]?.chatId, CHAT);
      assert.match(telegram.messages[0]?.text ?? '', /Entries paused/);
      assert.deepEqual(await repo.counts(), {
        pending: 0,
        sending: 0,
        sent: 2,
        failed: 0,
        suppressed: 0,
      });
    });

    it('stores and sends an alert raised twice only once', async () => {
      const { worker, alerter } = setup();
      const same = alert();
      await alerter.raise(same);
      await alerter.raise(same);

      await worker.drain();

      assert.equal(slack.posts.length, 1);
      assert.equal(telegram.messages.length, 1);
    });

    it('rate-limits a flapping topic and counts what it held back into the next alert', async () => {
      const { worker, alerter } = setup(['slack'], { max: 2, windowMs: 60_000 });
      for (let i = 0; i < 5; i++) await alerter.raise(alert());
      await worker.drain();
      assert.equal(slack.posts.length, 2);

      clock.advance(61_000);
      await alerter.raise(alert());
      await worker.drain();

      assert.equal(slack.posts.length, 3);
      assert.match(slack.posts[2]?.body.text ?? '', /3 similar alerts suppressed/);
      assert.equal((await repo.counts()).suppressed, 3);
    });

    it('retries a failing webhook with backoff until it takes the alert', async () => {
      const { worker, alerter } = setup(['slack']);
      slack.failNext.push(500, 503);
      await alerter.raise(alert());

      await worker.drain();
      await worker.drain();
      assert.equal(slack.posts.length, 0, 'the retry waits for its backoff');
      clock.advance(1_000);
      await worker.drain();
      clock.advance(2_000);
      await worker.drain();

      assert.equal(slack.posts.length, 1);
      assert.deepEqual(outcomes, ['retry', 'retry', 'sent']);
    });

    it("waits as long as Telegram's retry_after asks", async () => {
      const { worker, alerter } = setup([`telegram:${CHAT}`]);
      telegram.failNext.push({ code: 429, description: 'Too Many Requests', retryAfterS: 30 });
      await alerter.raise(alert());

      await worker.drain();
      clock.advance(29_000);
      await worker.drain();
      assert.equal(telegram.messages.length, 0);
      clock.advance(1_000);
      await worker.drain();

      assert.equal(telegram.messages.length, 1);
    });

    it('gives up at once on a refusal a retry cannot fix, and after max attempts otherwise', async () => {
      const { worker, alerter } = setup(['telegram:999', 'slack']);
      slack.failNext.push(500, 500, 500, 500);
      await alerter.raise(alert());

      for (let i = 0; i < 6; i++) {
        await worker.drain();
        clock.advance(60_000);
      }

      const rows = await db.sql<
        { destination: string; status: string; attempts: number; last_error: string }[]
      >`
        SELECT destination, status, attempts, last_error FROM alert_outbox ORDER BY destination`;
      assert.deepEqual(
        rows.map((r) => [r.destination, r.status, r.attempts]),
        [
          ['slack', 'failed', 4],
          ['telegram:999', 'failed', 1],
        ],
      );
      assert.match(rows[1]?.last_error ?? '', /chat not found/);
    });

    it('sends an alert claimed by a worker that crashed, once its lease ran out, and never again', async () => {
      const { alerter } = setup(['slack']);
      await alerter.raise(alert());
      // The first engine claimed it and died before sending (or before marking it sent)
      const [claimed] = await repo.claim(clock.now(), POLICY.leaseMs, 10);
      assert.ok(claimed);

      const restarted = setup(['slack']).worker;
      await restarted.drain();
      assert.equal(slack.posts.length, 0, 'the lease still excludes others');
      clock.advance(POLICY.leaseMs);
      await restarted.drain();
      clock.advance(POLICY.leaseMs);
      await setup(['slack']).worker.drain();

      assert.equal(slack.posts.length, 1);
      assert.equal(
        await repo.markSent(claimed.id, claimed.attempts, clock.now()),
        false,
        'stale claim',
      );
    });

    it('never logs the bot token or the webhook URL, even when deliveries fail', async () => {
      const { worker, alerter } = setup();
      slack.paths.clear();
      telegram.failNext.push({ code: 500, description: `Internal error for bot${TOKEN}` });
      await alerter.raise(alert());

      await worker.drain();

      const text = log.lines.join('\n');
      assert.ok(log.lines.length > 0);
      assert.ok(!text.includes(TOKEN), 'token logged');
      assert.ok(!text.includes('T000/B000/XXXX'), 'webhook secret path logged');
      const rows = await db.sql<{ last_error: string }[]>`SELECT last_error FROM alert_outbox`;
      for (const row of rows) assert.ok(!row.last_error.includes(TOKEN));
    });

    it('delivers on its own schedule once started, and stops cleanly', async () => {
      const { worker, alerter } = setup(['slack']);
      worker.start();
      await alerter.raise(alert());
      clock.advance(POLICY.pollMs);
      for (let i = 0; i < 100 && slack.posts.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        clock.advance(POLICY.pollMs);
      }
      await worker.stop();
      assert.equal(slack.posts.length, 1);
    });
  });
}
