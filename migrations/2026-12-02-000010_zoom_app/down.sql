DROP TABLE zoom_app_attempts;
DROP TABLE zoom_app_sessions;
