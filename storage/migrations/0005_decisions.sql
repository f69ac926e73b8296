-- Why the bot spoke or stayed silent in a group: one row per group message,
-- written in the transaction that completes the message.
CREATE TABLE decisions (
  id           bigserial PRIMARY KEY,
  event_id     bigint REFERENCES events (id),
  tenant       text NOT NULL,
  chat         text NOT NULL,
  sender_name  text,
  message      text NOT NULL,
  score        double precision NOT NULL,
  reason       text NOT NULL,
  threshold    double precision NOT NULL,
  method       text NOT NULL,               -- rule, llm, none
  replied      boolean NOT NULL,
  latency_us   bigint NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_by_chat ON decisions (tenant, chat, id DESC);
