-- Trigger hooks and schedule firings, each a durable event that runs its
-- workflow's steps in order; each step's outcome is recorded so that a step
-- that completed is never done again, also after a crash.
CREATE TABLE workflow_events (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,                    -- hook, schedule
  name        text NOT NULL,                    -- the hook's or the schedule's
  workflow    text NOT NULL,
  dedup_key   text,                             -- Idempotency-Key, the id in the body, the firing
  payload     jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'pending',  -- pending, running, completed, failed
  attempts    int NOT NULL DEFAULT 0,           -- of the step under way
  retries     int NOT NULL DEFAULT 0,           -- POST /api/events/{id}/retry so far
  error       text,
  next_at     timestamptz NOT NULL DEFAULT now(),  -- not before (a retry's back-off)
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, name, dedup_key)
);
CREATE INDEX workflow_events_open ON workflow_events (next_at)
  WHERE status IN ('pending', 'running');

CREATE TABLE workflow_steps (
  event_id    bigint NOT NULL REFERENCES workflow_events (id),
  n           int NOT NULL,                     -- from 1
  kind        text NOT NULL,
  status      text NOT NULL,                    -- completed, failed, waiting (an approval)
  attempts    int NOT NULL DEFAULT 1,
  output      text,
  error       text,
  missing     text[],                           -- placeholders that had no value
  approval_id bigint,                           -- a shell step's approval, while it waits
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, n)
);
