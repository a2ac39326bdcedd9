-- Idempotency records: one per scoped key; the fence grows on every take-over.
CREATE TABLE idempotency (
  scope_key   TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status      TEXT NOT NULL,
  fence       INTEGER NOT NULL,
  lease_until INTEGER NOT NULL,
  outcome     TEXT,
  is_error    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  completed_at INTEGER,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);
