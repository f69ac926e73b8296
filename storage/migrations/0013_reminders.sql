-- One reminder per booking, exactly once: the outbox row that carries it is
-- inserted in the same statement that records it here, guarded by NULL.
-- A cancelled or moved booking's reminder not yet sent is withdrawn.
ALTER TABLE bookings ADD COLUMN reminder_outbox_id bigint;
-- A template's body parameters ({{1}}, {{2}}, ...), as a JSON array of text.
ALTER TABLE outbox ADD COLUMN template_params jsonb;
CREATE INDEX bookings_awaiting_reminder ON bookings (tenant, start_at)
  WHERE status = 'confirmed' AND reminder_outbox_id IS NULL;
