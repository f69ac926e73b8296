-- A business whose bookings also show in its own calendar (Google or
-- CalDAV). Every change to what the calendar shows counts calendar_version
-- up, by a trigger, so that no writer of bookings can forget it; the booking
-- desk writes a booking as it is now and records the version it wrote.
-- calendar_synced < calendar_version: the calendar has not seen a change.
ALTER TABLE bookings ADD COLUMN calendar_version integer NOT NULL DEFAULT 1,
                     ADD COLUMN calendar_synced integer NOT NULL DEFAULT 0;
CREATE INDEX bookings_unmirrored ON bookings (tenant, end_at)
  WHERE calendar_synced < calendar_version;

CREATE FUNCTION bookings_count_calendar_change() RETURNS trigger AS $$
BEGIN
  NEW.calendar_version := OLD.calendar_version + 1;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER bookings_calendar_change BEFORE UPDATE OF start_at, end_at, status, customer_name
  ON bookings FOR EACH ROW
  WHEN (OLD.start_at IS DISTINCT FROM NEW.start_at OR OLD.end_at IS DISTINCT FROM NEW.end_at
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.customer_name IS DISTINCT FROM NEW.customer_name)
  EXECUTE FUNCTION bookings_count_calendar_change();
