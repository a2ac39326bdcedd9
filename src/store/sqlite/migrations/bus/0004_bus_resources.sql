-- Named bus resources (connections, API destinations) as JSON records.
CREATE TABLE bus_resources (
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL,
  record      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  PRIMARY KEY (kind, name)
);
