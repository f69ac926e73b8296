-- The morning brief fires once per tenant and local date. The row is claimed
-- before anything is gathered and turned 'queued' in the transaction that
-- writes its outbox row, so a crash at any point neither loses nor repeats
-- it: a 'composing' row is composed again at start-up (nothing was sent),
-- a 'queued' one is the sender's, exactly once.
CREATE TABLE briefs (
  tenant      text NOT NULL,
  day         date NOT NULL,
  state       text NOT NULL DEFAULT 'composing',  -- composing, queued, failed
  how         text,                               -- llm, template
  body        text,
  error       text,                               -- why the template, or why it failed
  outbox_id   bigint REFERENCES outbox (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, day)
);

-- A business-initiated message outside Meta's 24-hour window goes out as an
-- approved template (the body is kept for the record).
ALTER TABLE outbox ADD COLUMN template_name text;
ALTER TABLE outbox ADD COLUMN template_language text;
