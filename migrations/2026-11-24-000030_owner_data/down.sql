ALTER TABLE zoom_grants DROP COLUMN authorized_at;
ALTER TABLE admin_sessions DROP COLUMN return_url;
ALTER TABLE admin_links DROP COLUMN refresh_url;
ALTER TABLE admin_links DROP COLUMN return_url;
ALTER TABLE tenants DROP COLUMN origins;
DROP INDEX hidden_items_tenant_id_hidden_at_idx;
DROP TABLE hidden_items;
