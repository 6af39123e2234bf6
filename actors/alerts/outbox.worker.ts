/**
 * @module actors/alerts/outbox.worker
 * Delivers the alert outbox: claims due rows under a lease, sends each through its channel with
 * exactly one request, and marks it sent right after the channel confirms. A refused or failed
 * send is retried with exponential backoff (or the server's Retry-After) up to `maxAttempts`,
 * then marked failed and logged at error; every outcome is counted.
 *
 * Delivery guarantee: an alert is never lost (it is stored before anything is sent) and is sent
 * once, except in one window: a crash after the channel accepted a message and before the row is
 * marked sent (one database round trip) leaves the row claimed; when its lease runs out it is sent
 * again. Slack and Telegram have no idempotency key, so that second copy can reach people; it
 * carries the same `ref <dedup key>` line, which tells them it is the same alert.
 */
import { backoffMs } from '../../core/retry.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { AlertOutboxRepo, OutboxAlert } from '../store/alert-outbox.repo.js';
import { DeliveryError, type AlertChannel } from './alert.channel.js';

/** How one delivery ended. */
export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'lost';

/** Retry and pacing policy of the worker. */
export interface OutboxPolicy {
  /** How often due rows are looked for (also woken on every new alert), ms. */
  readonly pollMs: number;
  /** How long a claim excludes other workers; longer than a send can take, ms. */
  readonly leaseMs: number;
  /** Rows claimed per round. */
  readonly batch: number;
  /** Tries per alert before it is marked failed. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export interface OutboxWorkerOptions {
  readonly repo: AlertOutboxRepo;
  readonly channels: readonly AlertChannel[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: OutboxPolicy;
  /** Uniform [0, 1) for backoff jitter; default Math.random. */
  readonly random?: () => number;
  /** Called once per delivery attempt, for metrics. */
  readonly onDelivery?: (channel: string, outcome: DeliveryOutcome) => void;
}

/** Runs deliveries until stopped. */
export class OutboxWorker {
  readonly #options: OutboxWorkerOptions;
  readonly #channels: ReadonlyMap<string, AlertChannel>;
  #timer: TimerHandle | undefined;
  #draining: Promise<number> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: OutboxWorkerOptions) {
    this.#options = options;
    this.#channels = new Map(options.channels.map((c) => [c.name, c]));
  }

  /** Starts polling; idempotent. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = this.#options.clock.every(this.#options.policy.pollMs, () => this.wake());
    this.wake();
  }

  /** Looks for due alerts now (a producer just enqueued one). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = this.drain()
      .catch((e: unknown) => {
        // A database hiccup: the rows stay in the outbox and the next poll tries again
        this.#options.logger.warn({ err: e }, 'alert outbox: delivery round failed');
        return 0;
      })
      .finally(() => {
        this.#draining = undefined;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /**
   * Delivers every due alert, round after round, until none is due.
   * @returns how many alerts were attempted
   */
  async drain(): Promise<number> {
    const { repo, clock, policy } = this.#options;
    let attempted = 0;
    for (;;) {
      if (this.#stopped) return attempted;
      const claimed = await repo.claim(clock.now(), policy.leaseMs, policy.batch);
      if (claimed.length === 0) return attempted;
      for (const alert of claimed) {
        await this.#deliver(alert);
        attempted += 1;
      }
    }
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clear(this.#timer);
    this.#timer = undefined;
    await this.#draining;
  }

  async #deliver(alert: OutboxAlert): Promise<void> {
    const { repo, clock, logger, policy } = this.#options;
    const channelName = alert.destination.split(':')[0] ?? alert.destination;
    const channel = this.#channels.get(channelName);
    const log = { alertId: alert.id, destination: alert.destination, key: alert.dedupKey };
    let outcome: DeliveryOutcome;
    try {
      if (!channel) {
        throw new DeliveryError(`no ${channelName} channel is configured (token not set?)`, false);
      }
      await channel.send(alert);
      outcome = (await repo.markSent(alert.id, alert.attempts, clock.now())) ? 'sent' : 'lost';
      if (outcome === 'lost') logger.warn(log, 'alert sent after its claim lapsed');
    } catch (e) {
      const error =
        e instanceof DeliveryError
          ? e
          : new DeliveryError(String((e as Error)?.message ?? e), true);
      const exhausted = alert.attempts >= policy.maxAttempts;
      if (!error.retryable || exhausted) {
        await repo.markFailed(alert.id, alert.attempts, error.message);
        outcome = 'failed';
        logger.error(
          { ...log, attempts: alert.attempts, error: error.message },
          'alert not delivered',
        );
      } else {
        const jitterPolicy = {
          ...policy,
          attempts: policy.maxAttempts,
          sleep: async () => undefined,
          random: this.#options.random ?? Math.random,
        };
        const waitMs = Math.max(error.retryAfterMs ?? 0, backoffMs(jitterPolicy, alert.attempts));
        await repo.markRetry(alert.id, alert.attempts, clock.now() + waitMs, error.message);
        outcome = 'retry';
        logger.warn(
          { ...log, attempts: alert.attempts, retryInMs: waitMs, error: error.message },
          'alert delivery failed; will retry',
        );
      }
    }
    this.#options.onDelivery?.(channelName, outcome);
  }
}
