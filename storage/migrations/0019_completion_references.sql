-- A message's completion writes its memory, reply, decision and run rows in
-- the one statement that turns its event from pending to done, each row
-- selected FROM that event's claim (storage/store_complete.cpp): a row that
-- names an event that does not exist cannot be written, and events are
-- never deleted. The foreign keys checked the same thing again with a
-- locking lookup of the event per row, four per answered message, about a
-- tenth of PostgreSQL's time on the hot path (tests/bench; README,
-- "Benchmark"). A handover's notice (storage/store_handover.cpp) is written
-- in the transaction that holds its event, so it is covered the same way.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_event_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_event_id_fkey;
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_event_id_fkey;
ALTER TABLE decisions DROP CONSTRAINT IF EXISTS decisions_event_id_fkey;
