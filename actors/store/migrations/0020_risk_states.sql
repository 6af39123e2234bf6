-- The risk layer's machines (trading states and circuit breakers), one persisted XState snapshot
-- per (scope, machine), so a halt, an open breaker and its trip count survive a restart.
-- scope: 'global' or a symbol; machine: 'trading' or 'breaker:<kind>'.
CREATE TABLE risk_states (
  scope      text        NOT NULL,
  machine    text        NOT NULL,
  snapshot   jsonb       NOT NULL,
  version    bigint      NOT NULL CHECK (version > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, machine)
);
