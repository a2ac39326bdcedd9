-- Event buses, rules, targets, the event log, the dispatch inbox, deliveries and archives.
-- Runs with search_path set to the store's schema: no name here is schema-qualified.
-- All times are epoch milliseconds (BIGINT).

CREATE TABLE buses (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- "C" collation: byte order, as SQLite and EventBridge list names; paging by name > $after agrees with it.
  name            text COLLATE "C" NOT NULL UNIQUE,
  description     text,
  dead_letter_arn text,
  tags            jsonb NOT NULL,
  created_at      bigint NOT NULL,
  modified_at     bigint NOT NULL
);

CREATE TABLE rules (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bus_id              bigint NOT NULL REFERENCES buses (id),
  name                text COLLATE "C" NOT NULL,
  event_pattern       text,
  schedule_expression text,
  state               text NOT NULL,
  description         text,
  role_arn            text,
  created_at          bigint NOT NULL,
  modified_at         bigint NOT NULL,
  UNIQUE (bus_id, name)
);

CREATE TABLE targets (
  rule_id   bigint NOT NULL REFERENCES rules (id),
  target_id text COLLATE "C" NOT NULL,
  arn       text NOT NULL,
  config    jsonb NOT NULL,
  PRIMARY KEY (rule_id, target_id)
);

-- One row, bumped by every change to rules, targets or archives: nodes rebuild matchers when it moves.
CREATE TABLE bus_meta (
  id            integer PRIMARY KEY CHECK (id = 1),
  rules_version bigint NOT NULL
);
INSERT INTO bus_meta (id, rules_version) VALUES (1, 0);

-- The append-only event log (kept for traces and replays for a retention period). Positions
-- are handed out in one order and committed in another: dispatch claims inbox rows, it never
-- reads events "after the last position seen".
CREATE SEQUENCE event_positions AS bigint;

CREATE TABLE events (
  position      bigint PRIMARY KEY DEFAULT nextval('event_positions'),
  bus_id        bigint NOT NULL,
  event_id      text NOT NULL,
  body          text NOT NULL,
  event_time    bigint NOT NULL,
  replay_name   text,
  -- JSON array of rule ids (a replay's FilterArns), or NULL for every rule of the bus.
  only_rule_ids jsonb,
  ingested_at   bigint NOT NULL
);
ALTER SEQUENCE event_positions OWNED BY events.position;
CREATE INDEX events_event_id ON events (event_id);
CREATE INDEX events_ingested ON events (ingested_at);

-- Events waiting for dispatch; a row leaves in the transaction that writes its deliveries.
CREATE TABLE event_inbox (
  position bigint PRIMARY KEY
);

CREATE TABLE deliveries (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_position bigint NOT NULL,
  rule_id        bigint NOT NULL,
  target_id      text NOT NULL,
  route          text,
  payload        text NOT NULL,
  state          text NOT NULL,
  attempts       integer NOT NULL DEFAULT 0,
  due_at         bigint NOT NULL,
  lease          text,
  -- The newest attempts, [{at, ok, error, message}, …].
  history        jsonb NOT NULL DEFAULT '[]',
  created_at     bigint NOT NULL
);
CREATE INDEX deliveries_event ON deliveries (event_position);
-- The claim walks it in (due_at, id) order.
CREATE INDEX deliveries_due ON deliveries (due_at, id) WHERE state = 'pending';

CREATE TABLE archives (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text COLLATE "C" NOT NULL UNIQUE,
  bus_id         bigint NOT NULL,
  event_pattern  text,
  description    text,
  retention_days integer NOT NULL,
  state          text NOT NULL,
  created_at     bigint NOT NULL
);

CREATE TABLE archive_events (
  archive_id  bigint NOT NULL,
  event_time  bigint NOT NULL,
  position    bigint NOT NULL,
  bus_id      bigint NOT NULL,
  body        text NOT NULL,
  archived_at bigint NOT NULL,
  PRIMARY KEY (archive_id, event_time, position)
);
