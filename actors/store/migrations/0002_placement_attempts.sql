-- How many times a placement step has started for an order. A second start means the workflow was
-- recovered after a crash while the first attempt may already have reached the venue, so the
-- step looks the order up by client order id before placing again: venues that only refuse a
-- client id among OPEN orders (Binance) would otherwise take a second real order when the first
-- one filled while we were down.
ALTER TABLE order_index ADD COLUMN placement_attempts integer NOT NULL DEFAULT 0;
