-- Fair queues: in-flight messages per tenant (message group) of a standard queue.
CREATE INDEX messages_received ON messages (queue_id, group_id, visible_at) WHERE group_id IS NOT NULL AND receive_count > 0;
