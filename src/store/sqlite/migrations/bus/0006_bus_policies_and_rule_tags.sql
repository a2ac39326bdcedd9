-- Resource policies of buses (PutPermission; JSON text, stored, not enforced), the KMS key id
-- UpdateEventBus / CreateEventBus accept, and the tags of rules (TagResource, PutRule on create).
ALTER TABLE buses ADD COLUMN policy TEXT;
ALTER TABLE buses ADD COLUMN kms_key_identifier TEXT;
ALTER TABLE rules ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
