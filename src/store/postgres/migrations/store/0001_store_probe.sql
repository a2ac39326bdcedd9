-- Store.probeWrite: one row updated in place, a tiny durable write that a full disk refuses
-- like a send, so a health check notices that writes work again with no traffic.
CREATE TABLE store_probe (
  id integer PRIMARY KEY,
  at bigint NOT NULL
);
