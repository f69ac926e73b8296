-- OAuth tokens, sealed with XChaCha20-Poly1305 (the tenant and provider are
-- the associated data); never stored or logged in plain text.
CREATE TABLE credentials (
  tenant       text NOT NULL,
  provider     text NOT NULL,           -- google
  key_version  int NOT NULL,
  nonce        bytea NOT NULL,
  ciphertext   bytea NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, provider)
);

-- A consent flow in progress: the state nonce the redirect must carry and
-- the PKCE verifier the code exchange needs; used once, for ten minutes.
CREATE TABLE oauth_flows (
  state         text PRIMARY KEY,
  tenant        text NOT NULL,
  provider      text NOT NULL,
  verifier      text NOT NULL,
  redirect_uri  text NOT NULL,
  status        text NOT NULL DEFAULT 'pending',  -- pending, exchanging, connected, failed
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
