-- Tenants made over the admin API (the file's are never stored): the JSON as
-- given, read again at every start and validated like the file.
CREATE TABLE api_tenants (
  id         text PRIMARY KEY,
  source     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
