-- approve_bookings: a booking is held ('pending', its place taken) until the
-- owner decides its approval; the decision, the booking's new status and
-- the customer's message are written in one transaction.
ALTER TABLE bookings ADD COLUMN approval_id bigint;
CREATE INDEX bookings_held ON bookings (tenant) WHERE status = 'pending';
