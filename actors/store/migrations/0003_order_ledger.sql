-- The order ledger (actors/orders) is now the one writer of the order index: it applies the order
-- status table to every report about an order (stream update, placement result, reconciliation,
-- cancel verification) and writes the result here, with the order's cumulative fill, average
-- price and trades (fills rows carry the client order id; fills_client_order follows that link).
-- Statuses are decided in code by the table, so the rank function the old forward-only upsert
-- used goes, and so does the placement counter (the placement step now knows a first attempt from
-- a retry or a recovered run without a write).
ALTER TABLE order_index DROP CONSTRAINT order_index_status_check;
ALTER TABLE order_index ADD CONSTRAINT order_index_status_check
  CHECK (status IN ('SUBMITTED', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL', 'FILLED', 'CANCELED',
                    'REJECTED', 'EXPIRED'));
ALTER TABLE order_index ADD COLUMN filled_quantity numeric NOT NULL DEFAULT 0
  CHECK (filled_quantity >= 0 AND filled_quantity <= quantity);
ALTER TABLE order_index ADD COLUMN avg_price numeric CHECK (avg_price IS NULL OR avg_price > 0);
ALTER TABLE order_index ADD COLUMN reduce_only boolean NOT NULL DEFAULT false;
ALTER TABLE order_index ADD COLUMN reject_reason text;
-- The ledger's revision of the row: a write carrying an older revision (an intent saved after a
-- report already moved the order on) changes nothing.
ALTER TABLE order_index ADD COLUMN revision bigint NOT NULL DEFAULT 0;
ALTER TABLE order_index DROP COLUMN placement_attempts;
DROP INDEX order_index_live;
CREATE INDEX order_index_live ON order_index (symbol, status)
  WHERE status IN ('SUBMITTED', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL');
CREATE INDEX order_index_recent ON order_index (symbol, updated_at);
DROP FUNCTION order_status_rank(text);
CREATE INDEX fills_client_order ON fills (client_order_id) WHERE client_order_id IS NOT NULL;
