-- Queues, messages, FIFO deduplication, receive attempts and move tasks.
-- All times are epoch milliseconds.
CREATE TABLE queues (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  settings    TEXT NOT NULL,
  tags        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  purged_at   INTEGER,
  deleted_at  INTEGER
);
CREATE UNIQUE INDEX queues_live_name ON queues (name) WHERE deleted_at IS NULL;
CREATE INDEX queues_deleted_name ON queues (name, deleted_at) WHERE deleted_at IS NOT NULL;

-- AUTOINCREMENT: positions are never reused, so FIFO sequence numbers only grow.
CREATE TABLE messages (
  position          INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id          INTEGER NOT NULL,
  message_id        TEXT NOT NULL,
  body              TEXT NOT NULL,
  attributes        TEXT,
  md5_body          TEXT NOT NULL,
  md5_attributes    TEXT,
  group_id          TEXT,
  dedup_id          TEXT,
  trace_header      TEXT,
  dlq_source_arn    TEXT,
  sent_at           INTEGER NOT NULL,
  visible_at        INTEGER NOT NULL,
  expires_at        INTEGER NOT NULL,
  receive_count     INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  received_at       INTEGER,
  receipt           TEXT
);
-- Standard dequeue order; also serves counts of visible / not-visible messages.
CREATE INDEX messages_dequeue ON messages (queue_id, visible_at, position);
-- FIFO order and the oldest message.
CREATE INDEX messages_order ON messages (queue_id, position);
-- FIFO group gate.
CREATE INDEX messages_group ON messages (queue_id, group_id, position) WHERE group_id IS NOT NULL;
CREATE INDEX messages_expiry ON messages (expires_at);

CREATE TABLE dedup (
  queue_id   INTEGER NOT NULL,
  scope      TEXT NOT NULL,
  dedup_id   TEXT NOT NULL,
  message_id TEXT NOT NULL,
  position   INTEGER NOT NULL,
  sent_at    INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (queue_id, scope, dedup_id)
) WITHOUT ROWID;
CREATE INDEX dedup_expiry ON dedup (expires_at);

CREATE TABLE receive_attempts (
  queue_id   INTEGER NOT NULL,
  attempt_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  claims     TEXT NOT NULL,
  PRIMARY KEY (queue_id, attempt_id)
) WITHOUT ROWID;

CREATE TABLE move_tasks (
  handle          TEXT PRIMARY KEY,
  source_queue_id INTEGER NOT NULL,
  started_at      INTEGER NOT NULL,
  record          TEXT NOT NULL
);
CREATE INDEX move_tasks_source ON move_tasks (source_queue_id, started_at);
