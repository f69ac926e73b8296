-- Exactly-once sends across crashes: a row is marked in flight before its
-- HTTP request and cleared with the outcome. A row still in flight at start-up
-- may have been sent; Meta's status webhook (biz_opaque_callback_data names
-- the row) settles it before anything is sent again.
ALTER TABLE outbox ADD COLUMN in_flight boolean NOT NULL DEFAULT false;
