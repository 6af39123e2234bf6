-- The engine's own tables. DBOS keeps its workflow state in the separate "dbos" schema.
-- Money is NUMERIC (exact decimal) and travels as decimal strings; never float8.

-- The last persisted snapshot of each symbol actor's machines, with an optimistic version.
CREATE TABLE symbol_snapshots (
  symbol     text        PRIMARY KEY,
  snapshot   jsonb       NOT NULL,
  version    bigint      NOT NULL CHECK (version > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The symbols the engine trades; the set survives restarts.
CREATE TABLE active_symbols (
  symbol     text        PRIMARY KEY,
  config     jsonb       NOT NULL,
  status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'failed')),
  added_at   timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every execution the venue reported, once. Append-only: a trigger refuses updates and deletes.
CREATE TABLE fills (
  venue           text        NOT NULL,
  trade_id        text        NOT NULL,
  symbol          text        NOT NULL,
  venue_order_id  text        NOT NULL,
  client_order_id text,
  side            text        NOT NULL CHECK (side IN ('BUY', 'SELL')),
  price           numeric     NOT NULL CHECK (price > 0),
  quantity        numeric     NOT NULL CHECK (quantity > 0),
  fee             numeric     NOT NULL,
  fee_asset       text        NOT NULL,
  realized_pnl    numeric     NOT NULL DEFAULT 0,
  is_maker        boolean     NOT NULL,
  ts_event        bigint      NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (venue, trade_id)
);
CREATE INDEX fills_symbol_ts ON fills (symbol, ts_event);

CREATE FUNCTION fills_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'fills is append-only, was %', TG_OP;
END;
$$;
CREATE TRIGGER fills_append_only BEFORE UPDATE OR DELETE ON fills
  FOR EACH ROW EXECUTE FUNCTION fills_refuse_change();
CREATE TRIGGER fills_no_truncate BEFORE TRUNCATE ON fills
  FOR EACH STATEMENT EXECUTE FUNCTION fills_refuse_change();

-- The one order index (STYLE convention 11): our client order id <-> the venue's order id.
-- SUBMITTED means sent and not yet acknowledged (in flight).
CREATE TABLE order_index (
  client_order_id text        PRIMARY KEY,
  venue           text        NOT NULL,
  symbol          text        NOT NULL,
  venue_order_id  text,
  side            text        NOT NULL CHECK (side IN ('BUY', 'SELL')),
  price           numeric,
  quantity        numeric     NOT NULL CHECK (quantity > 0),
  slot_index      integer,
  status          text        NOT NULL CHECK (status IN ('SUBMITTED', 'NEW', 'PARTIALLY_FILLED',
                                                        'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX order_index_venue_order ON order_index (venue, venue_order_id)
  WHERE venue_order_id IS NOT NULL;
CREATE INDEX order_index_live ON order_index (symbol, status)
  WHERE status IN ('SUBMITTED', 'NEW', 'PARTIALLY_FILLED');

-- How far along its lifecycle a status is. Reports arrive out of order (a fill can overtake the
-- placement ack), so the index only ever moves an order forward, and the first final status wins.
CREATE FUNCTION order_status_rank(status text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE status
    WHEN 'SUBMITTED' THEN 0
    WHEN 'NEW' THEN 1
    WHEN 'PARTIALLY_FILLED' THEN 2
    ELSE 3
  END
$$;
