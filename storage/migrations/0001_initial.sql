-- Every webhook item, stored before the 200 goes out.
CREATE TABLE events (
  id           bigserial PRIMARY KEY,
  provider     text NOT NULL,               -- meta, console
  external_id  text NOT NULL,               -- phone_number_id:message id, ...
  kind         text NOT NULL,               -- message, status, ignored
  tenant       text,
  chat         text,
  sender       text,
  sender_name  text,
  message_id   text,
  msg_type     text,
  body         text,
  state        text NOT NULL DEFAULT 'pending', -- pending, done, ignored
  reason       text,
  payload      jsonb,
  received_at  timestamptz NOT NULL DEFAULT now(),
  done_at      timestamptz,
  UNIQUE (provider, external_id)
);
CREATE INDEX events_pending ON events (id) WHERE state = 'pending';

CREATE TABLE conversations (
  tenant      text NOT NULL,
  chat        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, chat)
);

-- The conversation memory; a session loads the newest N.
CREATE TABLE messages (
  id          bigserial PRIMARY KEY,
  tenant      text NOT NULL,
  chat        text NOT NULL,
  role        text NOT NULL,                -- user, assistant
  content     text NOT NULL,
  event_id    bigint REFERENCES events (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_by_chat ON messages (tenant, chat, id DESC);

-- Replies, written in the transaction that completes their event.
CREATE TABLE outbox (
  id                   bigserial PRIMARY KEY,
  event_id             bigint REFERENCES events (id),
  tenant               text NOT NULL,
  chat                 text NOT NULL,
  channel              text NOT NULL,       -- meta, console
  recipient            text NOT NULL,
  part                 int NOT NULL DEFAULT 1,
  body                 text NOT NULL,
  state                text NOT NULL DEFAULT 'pending', -- pending, sent, delivered, read, failed
  provider_message_id  text,
  attempts             int NOT NULL DEFAULT 0,
  error_code           bigint,
  error_title          text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  sent_at              timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
CREATE INDEX outbox_by_provider_id ON outbox (provider_message_id);

CREATE TABLE tasks (
  id          bigserial PRIMARY KEY,
  tenant      text NOT NULL,
  chat        text NOT NULL,
  title       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  done_at     timestamptz
);
CREATE INDEX tasks_open ON tasks (tenant, chat, id) WHERE done_at IS NULL;

-- One row per handled message: which way it was answered and how fast.
CREATE TABLE runs (
  id           bigserial PRIMARY KEY,
  event_id     bigint REFERENCES events (id),
  tenant       text NOT NULL,
  sender_hash  text NOT NULL,
  path         text NOT NULL,               -- command, llm, fallback, ignored
  latency_us   bigint NOT NULL,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
