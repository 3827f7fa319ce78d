//! Table definitions shared by both backends (written by hand: diesel_cli would need libpq).

diesel::table! {
    tenants (id) {
        id -> Text,
        slug -> Text,
        display_name -> Text,
        created_at -> Timestamp,
        content_version -> BigInt,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        tenant_id -> Text,
        name -> Text,
        key_hash -> Text,
        key_prefix -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admin_links (token_hash) {
        token_hash -> Text,
        tenant_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admin_sessions (id_hash) {
        id_hash -> Text,
        tenant_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Text,
        tenant_id -> Text,
        session_hash -> Nullable<Text>,
        verifier_sealed -> Text,
        verifier_key_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    zoom_grants (id) {
        id -> Text,
        zoom_account_id -> Text,
        zoom_user_id -> Text,
        zoom_email -> Text,
        zoom_display_name -> Text,
        scopes -> Text,
        access_token_sealed -> Text,
        refresh_token_sealed -> Text,
        key_id -> Text,
        access_expires_at -> Timestamp,
        api_url -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        refreshed_at -> Nullable<Timestamp>,
        refresh_lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        claim_token_hash -> Nullable<Text>,
    }
}

diesel::table! {
    zoom_connections (tenant_id) {
        tenant_id -> Text,
        grant_id -> Text,
        connected_at -> Timestamp,
        last_sync_at -> Nullable<Timestamp>,
        last_sync_result -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        tenant_id -> Nullable<Text>,
        zoom_account_id -> Nullable<Text>,
        action -> Text,
        detail -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(zoom_connections -> zoom_grants (grant_id));

diesel::table! {
    meetings (tenant_id, zoom_meeting_id) {
        tenant_id -> Text,
        zoom_meeting_id -> BigInt,
        zoom_uuid -> Text,
        host_id -> Text,
        topic -> Text,
        agenda -> Text,
        meeting_type -> Integer,
        start_time -> Nullable<Timestamp>,
        duration_minutes -> Integer,
        timezone -> Text,
        approval_type -> Integer,
        join_url -> Text,
        hidden -> Bool,
        synced_at -> Timestamp,
        kind -> Text,
    }
}

diesel::table! {
    meeting_occurrences (tenant_id, zoom_meeting_id, occurrence_id) {
        tenant_id -> Text,
        zoom_meeting_id -> BigInt,
        occurrence_id -> Text,
        start_time -> Timestamp,
        duration_minutes -> Integer,
        status -> Text,
    }
}

diesel::table! {
    recordings (tenant_id, zoom_meeting_uuid) {
        tenant_id -> Text,
        zoom_meeting_uuid -> Text,
        zoom_meeting_id -> BigInt,
        host_id -> Text,
        topic -> Text,
        start_time -> Timestamp,
        duration_minutes -> Integer,
        timezone -> Text,
        share_url -> Text,
        play_passcode -> Text,
        total_size -> BigInt,
        files_json -> Text,
        status -> Text,
        hidden -> Bool,
        synced_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        tenant_id -> Text,
        zoom_meeting_id -> BigInt,
        occurrence_id -> Text,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        zoom_registrant_id -> Text,
        status -> Text,
        join_url -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    site_settings (tenant_id) {
        tenant_id -> Text,
        meetings_public -> Bool,
        recordings_public -> Bool,
        webinars_public -> Bool,
        registration_open -> Bool,
        show_recording_passcode -> Bool,
        allowed_origins -> Text,
        language -> Text,
        theme_mode -> Text,
        accent_color -> Text,
        font -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registration_questions (tenant_id, zoom_meeting_id) {
        tenant_id -> Text,
        zoom_meeting_id -> BigInt,
        questions_json -> Text,
        fetched_at -> Timestamp,
    }
}

diesel::joinable!(site_settings -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    api_keys,
    admin_links,
    admin_sessions,
    oauth_states,
    zoom_grants,
    zoom_connections,
    meetings,
    meeting_occurrences,
    recordings,
    registrations,
    audit_events,
    site_settings,
    registration_questions,
);
