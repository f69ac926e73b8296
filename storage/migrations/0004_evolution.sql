-- The Evolution API channel (WhatsApp Web bridge): where a message sits in a
-- group, what a reply quotes and mentions, and each instance's connection.
ALTER TABLE events
  ADD COLUMN is_group boolean NOT NULL DEFAULT false,
  ADD COLUMN mentions text[],
  ADD COLUMN quoted_id text,
  ADD COLUMN quoted_sender text,
  ADD COLUMN bot_id text;

ALTER TABLE outbox
  ADD COLUMN quoted_id text,
  ADD COLUMN quoted_text text,
  ADD COLUMN mention text;

CREATE TABLE channel_state (
  instance      text PRIMARY KEY,
  state         text,                       -- open, connecting, close
  bot_jid       text,
  qr_code       text,
  pairing_code  text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
