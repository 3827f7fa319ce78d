DROP TABLE meetings;
DROP TABLE zoom_connections;
DROP TABLE oauth_states;
DROP TABLE admin_sessions;
DROP TABLE admin_links;
DROP TABLE api_keys;
DROP TABLE tenants;
