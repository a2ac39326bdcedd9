-- Scheduled rules: when each fires next. A firing moves it with a conditional update, so one node fires each period.
ALTER TABLE rules ADD COLUMN next_fire_at bigint;
CREATE INDEX rules_next_fire ON rules (next_fire_at) WHERE next_fire_at IS NOT NULL AND state = 'ENABLED';
