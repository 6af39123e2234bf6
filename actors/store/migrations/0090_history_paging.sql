-- Keyset pages of the engine gRPC API (actors/store/order-history.repo): GetFills walks the fills
-- ledger by (ts_event, venue, trade_id) and GetOrderHistory the order index by
-- (created_at, client_order_id), across symbols. Without these each page sorted the whole table.
CREATE INDEX fills_page ON fills (ts_event, venue, trade_id);
CREATE INDEX order_index_page ON order_index (created_at, client_order_id);
