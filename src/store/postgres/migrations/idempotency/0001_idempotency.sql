-- Idempotency records: one per scoped key; the fence grows on every take-over.
CREATE TABLE idempotency (
  scope_key    text PRIMARY KEY,
  fingerprint  text NOT NULL,
  status       text NOT NULL,
  fence        bigint NOT NULL,
  lease_until  bigint NOT NULL,
  outcome      text,
  is_error     boolean NOT NULL DEFAULT false,
  created_at   bigint NOT NULL,
  completed_at bigint,
  expires_at   bigint NOT NULL
);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);
