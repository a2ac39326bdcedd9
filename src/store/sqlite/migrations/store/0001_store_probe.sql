-- Store.probeWrite: one tiny durable write that a full disk refuses like a send, so a health
-- check notices that writes work again with no traffic. Empty between probes.
CREATE TABLE store_probe (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  pad BLOB NOT NULL
);
