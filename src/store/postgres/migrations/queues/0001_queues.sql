-- Queues, messages, FIFO deduplication, receive attempts and move tasks.
-- Runs with search_path set to the store's schema: no name here is schema-qualified.
-- All times are epoch milliseconds (BIGINT).

-- The database clock, in epoch ms: every deadline is decided with it, so all nodes agree.
-- clock_timestamp() (not now()): the time of the call, not of the transaction's start.
CREATE FUNCTION ballast_now_ms() RETURNS bigint
  LANGUAGE sql VOLATILE PARALLEL SAFE
  AS $$ SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint $$;

CREATE TABLE queues (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- "C" collation: byte order, as SQLite and SQS list names; paging by name > $after agrees with it.
  name        text COLLATE "C" NOT NULL,
  settings    jsonb NOT NULL,
  tags        jsonb NOT NULL,
  created_at  bigint NOT NULL,
  modified_at bigint NOT NULL,
  purged_at   bigint,
  deleted_at  bigint
);
CREATE UNIQUE INDEX queues_live_name ON queues (name) WHERE deleted_at IS NULL;
CREATE INDEX queues_deleted_name ON queues (name, deleted_at) WHERE deleted_at IS NOT NULL;

-- Positions are never reused, so FIFO sequence numbers only grow. They are handed out in one
-- order and committed in another: nothing reads messages "after the last position seen".
CREATE SEQUENCE message_positions AS bigint;

CREATE TABLE messages (
  position          bigint PRIMARY KEY DEFAULT nextval('message_positions'),
  queue_id          bigint NOT NULL,
  message_id        text NOT NULL,
  body              text NOT NULL,
  attributes        text,
  md5_body          text NOT NULL,
  md5_attributes    text,
  group_id          text,
  dedup_id          text,
  trace_header      text,
  dlq_source_arn    text,
  sent_at           bigint NOT NULL,
  visible_at        bigint NOT NULL,
  expires_at        bigint NOT NULL,
  receive_count     integer NOT NULL DEFAULT 0,
  first_received_at bigint,
  received_at       bigint,
  receipt           text
);
ALTER SEQUENCE message_positions OWNED BY messages.position;
-- Standard dequeue order (the claim walks it); also serves counts of visible / hidden messages.
CREATE INDEX messages_dequeue ON messages (queue_id, visible_at, position);
-- FIFO order and the oldest message.
CREATE INDEX messages_order ON messages (queue_id, position);
-- FIFO group gate: earlier messages of a group, and received messages of a group by deadline.
CREATE INDEX messages_group ON messages (queue_id, group_id, position) WHERE group_id IS NOT NULL;
CREATE INDEX messages_received ON messages (queue_id, group_id, visible_at)
  WHERE group_id IS NOT NULL AND receive_count > 0;
CREATE INDEX messages_expiry ON messages (expires_at);

-- One row per live deduplication id: INSERT … ON CONFLICT on this key decides, race-free
-- across nodes, which send stores the message.
CREATE TABLE dedup (
  queue_id   bigint NOT NULL,
  scope      text NOT NULL,
  dedup_id   text NOT NULL,
  message_id text NOT NULL,
  position   bigint NOT NULL,
  sent_at    bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (queue_id, scope, dedup_id)
);
CREATE INDEX dedup_expiry ON dedup (expires_at);

CREATE TABLE receive_attempts (
  queue_id   bigint NOT NULL,
  attempt_id text NOT NULL,
  created_at bigint NOT NULL,
  -- [[position, receipt token], …] in the order the receive returned them.
  claims     jsonb NOT NULL,
  PRIMARY KEY (queue_id, attempt_id)
);
CREATE INDEX receive_attempts_created ON receive_attempts (created_at);

CREATE TABLE move_tasks (
  handle          text PRIMARY KEY,
  seq             bigint GENERATED ALWAYS AS IDENTITY,
  source_queue_id bigint NOT NULL,
  started_at      bigint NOT NULL,
  record          jsonb NOT NULL
);
CREATE INDEX move_tasks_source ON move_tasks (source_queue_id, started_at, seq);
