DROP TABLE event_deliveries;
DROP TABLE outbox_events;
DROP TABLE event_sequences;
DROP TABLE event_endpoints;
