-- Funding-rate arbitrage pairs: the durable set of traded pairs (the admin API and the config's
-- seed add them) and each pair's persisted state: its position machine snapshot, its guards
-- (trading state, breakers, the leg-imbalance timer), its accounting (funding received, fees,
-- cash per leg) and the number of the last cycle workflow it finished, which names the next one.
-- Saves are guarded by an optimistic version, like symbol snapshots.
CREATE TABLE arbitrage_pairs (
  pair_id    text        PRIMARY KEY CHECK (pair_id ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
  config     jsonb       NOT NULL,
  status     text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failed')),
  state      jsonb,
  version    bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),
  added_at   timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
