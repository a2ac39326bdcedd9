-- Archive replays: one row each; the record is JSON, the columns are what conditions and lists need.
CREATE TABLE replays (
  name        text COLLATE "C" PRIMARY KEY,
  state       text NOT NULL,
  archive_arn text NOT NULL,
  updated_at  bigint NOT NULL,
  record      jsonb NOT NULL
);
