-- Scale-out: several engines on one database share the active symbols. Each symbol is owned by
-- one engine at a time through a lease; its token grows with every change of owner and fences a
-- former owner off (order calls and snapshot saves check it). Times are the database's own
-- clock, so engines on machines whose clocks disagree still agree on expiry.
CREATE TABLE engine_members (
  engine_id    text        PRIMARY KEY CHECK (length(engine_id) BETWEEN 1 AND 64),
  -- The key of the session-level advisory lock the engine holds while it runs: a dead process's
  -- session ends and frees it at once, a paused one keeps it until its heartbeat goes stale
  lock_key     bigint      NOT NULL,
  host         text        NOT NULL,
  pid          integer     NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  -- Found dead by this engine, which recovers its workflows and then deletes the row: until
  -- then its leases stay where they are, so no symbol trades before its last orders settle
  claimed_by   text,
  claimed_at   timestamptz
);

CREATE TABLE symbol_leases (
  symbol      text        PRIMARY KEY,
  -- Empty once given back
  owner       text        NOT NULL,
  token       bigint      NOT NULL CHECK (token > 0),
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

CREATE INDEX symbol_leases_owner ON symbol_leases (owner);
