-- Approvals for side-effecting actions, and the gate's audit log.
CREATE TABLE approvals (
  id            bigserial PRIMARY KEY,
  event_id      bigint UNIQUE,               -- the message that asked: one approval each
  tenant        text NOT NULL,
  chat          text NOT NULL,               -- where the request came from
  channel       text NOT NULL,
  kind          text NOT NULL,               -- shell
  argv          text[] NOT NULL,             -- exactly what will run
  summary       text NOT NULL,
  requested_by  text NOT NULL,
  reason        text NOT NULL DEFAULT '',
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN
                  ('pending', 'approved', 'denied', 'expired', 'executed', 'failed')),
  decided_by    text,
  decided_via   text,
  decided_at    timestamptz,
  outcome       text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  finished_at   timestamptz
);
CREATE INDEX approvals_pending ON approvals (tenant, id) WHERE state = 'pending';

-- Every request to the gate and every decision on an approval.
CREATE TABLE audit (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  tenant    text NOT NULL,
  actor     text NOT NULL,                   -- who asked or decided
  action    text NOT NULL,                   -- request, approve, deny, run
  subject   text NOT NULL,                   -- what (a command line, approval id)
  decision  text NOT NULL,                   -- allow, deny, pending, executed, refused ...
  detail    text NOT NULL DEFAULT ''
);
