-- One row: this engine instance's identity. Its client order id namespace is generated once on
-- the first start (or set by config) and stamped into every client order id, so two engines on
-- one account and symbol never mint the same id nor take each other's orders for their own.
CREATE TABLE engine_instance (
  singleton           boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  client_id_namespace text        NOT NULL CHECK (client_id_namespace ~ '^[0-9A-Z]{4}$'),
  created_at          timestamptz NOT NULL DEFAULT now()
);
