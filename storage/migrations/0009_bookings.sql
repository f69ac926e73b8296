-- A business's customers and their appointments in parley's own calendar.
-- Capacity is checked under a per-tenant advisory lock in the booking's own
-- transaction, so two customers taking the last place at once cannot both win.

CREATE TABLE customers (
  tenant        text NOT NULL,
  number        text NOT NULL,          -- wa_id digits (Meta) or the JID (Evolution)
  name          text NOT NULL DEFAULT '',
  first_contact timestamptz NOT NULL DEFAULT now(),
  last_contact  timestamptz NOT NULL DEFAULT now(),
  opted_out     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant, number)
);

CREATE TABLE bookings (
  id            bigserial PRIMARY KEY,
  tenant        text NOT NULL,
  service       text NOT NULL,
  customer      text NOT NULL,
  customer_name text NOT NULL DEFAULT '',
  start_at      timestamptz NOT NULL,
  end_at        timestamptz NOT NULL CHECK (end_at > start_at),
  price         text NOT NULL DEFAULT '',
  status        text NOT NULL CHECK (status IN ('confirmed', 'pending', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_holding ON bookings (tenant, start_at) WHERE status <> 'cancelled';
CREATE INDEX bookings_of_customer ON bookings (tenant, customer, start_at);
