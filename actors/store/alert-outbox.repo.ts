/**
 * @module actors/store/alert-outbox.repo
 * The alert outbox: alerts are written here first, one row per destination, and a delivery worker
 * claims due rows under a lease, sends them and marks them sent. A duplicate alert (same
 * destination and dedup key) is stored once; a topic that alerts too often within a window has
 * its excess stored as `suppressed` and counted into its next delivered alert. Times are epoch ms
 * from the caller's clock, so tests run the outbox on a virtual clock.
 */
import type postgres from 'postgres';

import type { Sql } from './database.js';

/** How loud an alert is. */
export type AlertSeverity = 'info' | 'warning' | 'error' | 'critical';

/** Where an outbox row is in its delivery. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/** An alert for one destination, as the producer writes it. */
export interface OutboxDraft {
  /** `slack`, or `telegram:<chat id>`. */
  readonly destination: string;
  /** Same key, same alert: raising it twice stores and sends it once (per destination). */
  readonly dedupKey: string;
  /** Rate-limit group, e.g. `breaker:drawdown:BTCUSDT`: a flapping topic is throttled. */
  readonly topic: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly body: string;
  /** Extra name → value lines (symbol, reason, since...). */
  readonly fields: Readonly<Record<string, string>>;
}

/** A row claimed for delivery. */
export interface OutboxAlert extends OutboxDraft {
  readonly id: number;
  /** Tries so far, this one included. */
  readonly attempts: number;
  readonly createdMs: number;
  /** Alerts of the same topic and destination suppressed since the previous delivered one. */
  readonly suppressedBefore: number;
}

/** What enqueueing one draft did. */
export type EnqueueOutcome = 'queued' | 'duplicate' | 'suppressed';

/** At most `max` alerts of one topic per destination within `windowMs`. */
export interface TopicRateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** Counts by status, for /status and the metrics. */
export type OutboxCounts = Readonly<Record<OutboxStatus, number>>;

interface ClaimRow {
  id: string;
  destination: string;
  dedup_key: string;
  topic: string;
  severity: AlertSeverity;
  title: string;
  body: string;
  fields: Record<string, string>;
  attempts: number;
  created_ms: string;
}

/** Reads and writes `alert_outbox`. */
export class AlertOutboxRepo {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Stores drafts for delivery, each once per (destination, dedup key).
   * @param drafts - one per destination
   * @param nowMs - the producer's clock, epoch ms
   * @param limit - per-topic rate limit; excess is stored as suppressed
   * @returns one outcome per draft, in order
   */
  async enqueue(
    drafts: readonly OutboxDraft[],
    nowMs: number,
    limit: TopicRateLimit,
  ): Promise<EnqueueOutcome[]> {
    return this.#sql.begin(async (tx) => {
      const outcomes: EnqueueOutcome[] = [];
      for (const draft of drafts) {
        const [recent] = await tx<{ n: string }[]>`
          SELECT count(*) AS n FROM alert_outbox
          WHERE destination = ${draft.destination} AND topic = ${draft.topic}
            AND created_ms > ${nowMs - limit.windowMs} AND status <> 'suppressed'`;
        const status: OutboxStatus = Number(recent?.n ?? 0) >= limit.max ? 'suppressed' : 'pending';
        const inserted = await tx`
          INSERT INTO alert_outbox (destination, dedup_key, topic, severity, title, body, fields,
                                    status, created_ms, next_attempt_ms)
          VALUES (${draft.destination}, ${draft.dedupKey}, ${draft.topic}, ${draft.severity},
                  ${draft.title}, ${draft.body},
                  ${tx.json(draft.fields as postgres.JSONValue)}, ${status}, ${nowMs}, ${nowMs})
          ON CONFLICT (destination, dedup_key) DO NOTHING
          RETURNING id`;
        outcomes.push(
          inserted.length === 0 ? 'duplicate' : status === 'pending' ? 'queued' : 'suppressed',
        );
      }
      return outcomes;
    });
  }

  /**
   * Claims up to `limit` due alerts: pending ones whose next attempt is due, and ones a crashed
   * or stalled worker claimed whose lease ran out. Oldest first. Each claim counts an attempt.
   * @param nowMs - the worker's clock, epoch ms
   * @param leaseMs - how long the claim excludes other workers
   * @param limit - most rows to claim
   * @returns the claimed alerts
   */
  async claim(nowMs: number, leaseMs: number, limit: number): Promise<OutboxAlert[]> {
    const rows = await this.#sql<ClaimRow[]>`
      UPDATE alert_outbox SET status = 'sending', attempts = attempts + 1,
                              lease_until_ms = ${nowMs + leaseMs}
      WHERE id IN (
        SELECT id FROM alert_outbox
        WHERE (status = 'pending' AND next_attempt_ms <= ${nowMs})
           OR (status = 'sending' AND lease_until_ms <= ${nowMs})
        ORDER BY id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, destination, dedup_key, topic, severity, title, body, fields, attempts,
                created_ms`;
    const claimed: OutboxAlert[] = [];
    for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      claimed.push({
        id: Number(row.id),
        destination: row.destination,
        dedupKey: row.dedup_key,
        topic: row.topic,
        severity: row.severity,
        title: row.title,
        body: row.body,
        fields: row.fields,
        attempts: row.attempts,
        createdMs: Number(row.created_ms),
        suppressedBefore: await this.#suppressedBefore(row),
      });
    }
    return claimed;
  }

  /**
   * Marks a claimed alert sent. Only the holder of the current claim (same attempt) can.
   * @param id - outbox row id
   * @param attempt - the attempt number of the claim
   * @param nowMs - epoch ms
   * @returns false when the claim was lost (another worker re-claimed it after the lease)
   */
  async markSent(id: number, attempt: number, nowMs: number): Promise<boolean> {
    const rows = await this.#sql`
      UPDATE alert_outbox SET status = 'sent', sent_ms = ${nowMs}, lease_until_ms = NULL,
                              last_error = NULL
      WHERE id = ${id} AND status = 'sending' AND attempts = ${attempt}
      RETURNING id`;
    return rows.length === 1;
  }

  /**
   * Puts a claimed alert back for another try at `nextAttemptMs`.
   * @returns false when the claim was lost
   */
  async markRetry(
    id: number,
    attempt: number,
    nextAttemptMs: number,
    error: string,
  ): Promise<boolean> {
    const rows = await this.#sql`
      UPDATE alert_outbox SET status = 'pending', next_attempt_ms = ${nextAttemptMs},
                              lease_until_ms = NULL, last_error = ${error}
      WHERE id = ${id} AND status = 'sending' AND attempts = ${attempt}
      RETURNING id`;
    return rows.length === 1;
  }

  /**
   * Gives up on a claimed alert (attempts exhausted, or a permanent refusal).
   * @returns false when the claim was lost
   */
  async markFailed(id: number, attempt: number, error: string): Promise<boolean> {
    const rows = await this.#sql`
      UPDATE alert_outbox SET status = 'failed', lease_until_ms = NULL, last_error = ${error}
      WHERE id = ${id} AND status = 'sending' AND attempts = ${attempt}
      RETURNING id`;
    return rows.length === 1;
  }

  /** @returns how many rows are in each status */
  async counts(): Promise<OutboxCounts> {
    const rows = await this.#sql<{ status: OutboxStatus; n: string }[]>`
      SELECT status, count(*) AS n FROM alert_outbox GROUP BY status`;
    const counts = { pending: 0, sending: 0, sent: 0, failed: 0, suppressed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** @returns the epoch ms at which the next pending alert falls due, or null when none is */
  async nextDueMs(): Promise<number | null> {
    const [row] = await this.#sql<{ due: string | null }[]>`
      SELECT min(CASE WHEN status = 'pending' THEN next_attempt_ms ELSE lease_until_ms END) AS due
      FROM alert_outbox WHERE status IN ('pending', 'sending')`;
    return row?.due == null ? null : Number(row.due);
  }

  async #suppressedBefore(row: ClaimRow): Promise<number> {
    const [count] = await this.#sql<{ n: string }[]>`
      SELECT count(*) AS n FROM alert_outbox s
      WHERE s.destination = ${row.destination} AND s.topic = ${row.topic}
        AND s.status = 'suppressed' AND s.id < ${row.id}
        AND s.id > coalesce((SELECT max(p.id) FROM alert_outbox p
                             WHERE p.destination = ${row.destination} AND p.topic = ${row.topic}
                               AND p.status <> 'suppressed' AND p.id < ${row.id}), 0)`;
    return Number(count?.n ?? 0);
  }
}
