-- Named bus resources (connections, API destinations) as JSON records.
CREATE TABLE bus_resources (
  kind        text NOT NULL,
  name        text COLLATE "C" NOT NULL,
  record      jsonb NOT NULL,
  created_at  bigint NOT NULL,
  modified_at bigint NOT NULL,
  PRIMARY KEY (kind, name)
);
