-- Resource policies of buses (PutPermission; JSON text kept as written, stored, not enforced), the
-- KMS key id UpdateEventBus / CreateEventBus accept, and the tags of rules (TagResource, PutRule on create).
ALTER TABLE buses ADD COLUMN policy text;
ALTER TABLE buses ADD COLUMN kms_key_identifier text;
ALTER TABLE rules ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb;
