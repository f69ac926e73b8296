-- How long a run's message waited between its acknowledgement and the start
-- of its handling (the queue part of a trace); NULL for runs before this.
ALTER TABLE runs ADD COLUMN queue_us bigint;
