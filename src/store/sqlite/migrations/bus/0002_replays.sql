-- Archive replays: one row each; the record is JSON, the columns are what conditions and lists need.
CREATE TABLE replays (
  name        TEXT PRIMARY KEY,
  state       TEXT NOT NULL,
  archive_arn TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  record      TEXT NOT NULL
);
