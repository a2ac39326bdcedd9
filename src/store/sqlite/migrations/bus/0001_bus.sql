-- Event buses, rules, targets, the event log, the dispatch inbox, deliveries and archives.
-- All times are epoch milliseconds.
CREATE TABLE buses (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT NOT NULL UNIQUE,
  description     TEXT,
  dead_letter_arn TEXT,
  tags            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  modified_at     INTEGER NOT NULL
);

CREATE TABLE rules (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  bus_id              INTEGER NOT NULL REFERENCES buses (id),
  name                TEXT NOT NULL,
  event_pattern       TEXT,
  schedule_expression TEXT,
  state               TEXT NOT NULL,
  description         TEXT,
  role_arn            TEXT,
  created_at          INTEGER NOT NULL,
  modified_at         INTEGER NOT NULL,
  UNIQUE (bus_id, name)
);

CREATE TABLE targets (
  rule_id   INTEGER NOT NULL REFERENCES rules (id),
  target_id TEXT NOT NULL,
  arn       TEXT NOT NULL,
  config    TEXT NOT NULL,
  PRIMARY KEY (rule_id, target_id)
);

-- One row, bumped by every change to rules, targets or archives: nodes rebuild matchers when it moves.
CREATE TABLE bus_meta (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  rules_version INTEGER NOT NULL
);
INSERT INTO bus_meta (id, rules_version) VALUES (1, 0);

-- The append-only event log (kept for traces and replays for a retention period).
CREATE TABLE events (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  bus_id        INTEGER NOT NULL,
  event_id      TEXT NOT NULL,
  body          TEXT NOT NULL,
  event_time    INTEGER NOT NULL,
  replay_name   TEXT,
  only_rule_ids TEXT,
  ingested_at   INTEGER NOT NULL
);
CREATE INDEX events_event_id ON events (event_id);
CREATE INDEX events_ingested ON events (ingested_at);

-- Events waiting for dispatch; a row leaves in the transaction that writes its deliveries.
CREATE TABLE event_inbox (
  position INTEGER PRIMARY KEY
);

CREATE TABLE deliveries (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  event_position INTEGER NOT NULL,
  rule_id        INTEGER NOT NULL,
  target_id      TEXT NOT NULL,
  route          TEXT,
  payload        TEXT NOT NULL,
  state          TEXT NOT NULL,
  attempts       INTEGER NOT NULL DEFAULT 0,
  due_at         INTEGER NOT NULL,
  lease          TEXT,
  history        TEXT NOT NULL DEFAULT '[]',
  created_at     INTEGER NOT NULL
);
CREATE INDEX deliveries_event ON deliveries (event_position);
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE state = 'pending';

CREATE TABLE archives (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  name           TEXT NOT NULL UNIQUE,
  bus_id         INTEGER NOT NULL,
  event_pattern  TEXT,
  description    TEXT,
  retention_days INTEGER NOT NULL,
  state          TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);

CREATE TABLE archive_events (
  archive_id  INTEGER NOT NULL,
  event_time  INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  bus_id      INTEGER NOT NULL,
  body        TEXT NOT NULL,
  archived_at INTEGER NOT NULL,
  PRIMARY KEY (archive_id, event_time, position)
);
