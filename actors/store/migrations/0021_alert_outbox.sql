-- Alerts to deliver (Slack, Telegram), written before any delivery is tried so an alert survives
-- a crash. One row per destination; (destination, dedup_key) is unique, so the same alert raised
-- twice (a replay after a crash, a second engine) is stored and sent once. Times are epoch ms
-- from the engine's clock. status: pending -> sending (claimed under a lease) -> sent | failed;
-- suppressed rows were rate-limited at enqueue and are counted into the next delivered alert.
CREATE TABLE alert_outbox (
  id              bigserial   PRIMARY KEY,
  destination     text        NOT NULL,
  dedup_key       text        NOT NULL,
  topic           text        NOT NULL,
  severity        text        NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
  title           text        NOT NULL,
  body            text        NOT NULL,
  fields          jsonb       NOT NULL DEFAULT '{}',
  status          text        NOT NULL DEFAULT 'pending'
                              CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
  attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_ms      bigint      NOT NULL,
  next_attempt_ms bigint      NOT NULL,
  lease_until_ms  bigint,
  sent_ms         bigint,
  last_error      text,
  UNIQUE (destination, dedup_key)
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_ms, id)
  WHERE status IN ('pending', 'sending');
CREATE INDEX alert_outbox_topic ON alert_outbox (destination, topic, created_ms);
