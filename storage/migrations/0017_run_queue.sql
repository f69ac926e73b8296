-- How long a run's message waited between its acknowledgement and the start
-- of its handling (the queue part of a trace); NULL for runs before this.
-- And the storage part: the conversation's memory read for it, when it was
-- not in memory already.
-- And what a voice note was heard as (its transcript), for the trace.
ALTER TABLE runs ADD COLUMN queue_us bigint, ADD COLUMN storage_us bigint,
  ADD COLUMN transcript text;
