-- Events the dispatcher could not match or shape: parked with their error (JSON text
-- {"code","message","at"}) instead of blocking the inbox; NULL for every other event.
ALTER TABLE events ADD COLUMN dispatch_error TEXT;
CREATE INDEX events_parked ON events (position) WHERE dispatch_error IS NOT NULL;
