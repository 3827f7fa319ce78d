//! Table definitions shared by both backends (written by hand: diesel_cli would need libpq).

diesel::table! {
    tenants (id) {
        id -> Text,
        slug -> Text,
        display_name -> Text,
        created_at -> Timestamp,
        content_version -> BigInt,
        origins -> Text,
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
        return_url -> Nullable<Text>,
        refresh_url -> Nullable<Text>,
    }
}

diesel::table! {
    admin_sessions (id_hash) {
        id_hash -> Text,
        tenant_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        return_url -> Nullable<Text>,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Text,
        tenant_id -> Nullable<Text>,
        session_hash -> Nullable<Text>,
        verifier_sealed -> Text,
        verifier_key_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        purpose -> Text,
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
        authorized_at -> Nullable<Timestamp>,
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
        zoom_version -> BigInt,
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
        zoom_version -> BigInt,
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
        // Written by versions before `idempotency_keys`; read by none.
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

diesel::table! {
    hidden_items (tenant_id, kind, zoom_id) {
        tenant_id -> Text,
        kind -> Text,
        zoom_id -> Text,
        hidden_at -> Timestamp,
    }
}

diesel::table! {
    event_endpoints (id) {
        id -> Text,
        tenant_id -> Nullable<Text>,
        url -> Text,
        events -> Text,
        secret_sealed -> Text,
        key_id -> Text,
        previous_secret_sealed -> Nullable<Text>,
        previous_key_id -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        site_owned -> Bool,
    }
}

diesel::table! {
    event_sequences (tenant_id) {
        tenant_id -> Text,
        last_seq -> BigInt,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> Text,
        tenant_id -> Nullable<Text>,
        seq -> BigInt,
        event_type -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    event_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        order_key -> Text,
        seq -> BigInt,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_status -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(site_settings -> tenants (tenant_id));
diesel::joinable!(event_deliveries -> outbox_events (event_id));
diesel::joinable!(event_deliveries -> event_endpoints (endpoint_id));

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
    webhook_events,
    zoom_tombstones,
    sync_jobs,
    sync_status,
    zoom_account_pauses,
    site_settings,
    registration_questions,
    hidden_items,
    event_endpoints,
    event_sequences,
    outbox_events,
    event_deliveries,
    zoom_app_sessions,
    zoom_app_attempts,
);

diesel::table! {
    webhook_events (id) {
        id -> Text,
        dedup_key -> Text,
        event -> Text,
        zoom_account_id -> Text,
        event_ts -> BigInt,
        body -> Text,
        request_timestamp -> Text,
        tracking_id -> Nullable<Text>,
        received_at -> Timestamp,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        outcome -> Nullable<Text>,
        processed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    zoom_tombstones (tenant_id, object_kind, object_key) {
        tenant_id -> Text,
        object_kind -> Text,
        object_key -> Text,
        zoom_version -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sync_jobs (id) {
        id -> Text,
        tenant_id -> Text,
        zoom_account_id -> Text,
        kind -> Text,
        param -> Text,
        pending_key -> Nullable<Text>,
        status -> Text,
        run_after -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        attempts -> BigInt,
        progress_done -> BigInt,
        progress_total -> BigInt,
        progress_note -> Text,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        result -> Nullable<Text>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    sync_status (tenant_id) {
        tenant_id -> Text,
        last_kind -> Nullable<Text>,
        last_started_at -> Nullable<Timestamp>,
        last_finished_at -> Nullable<Timestamp>,
        last_result -> Nullable<Text>,
        last_error -> Nullable<Text>,
        meetings -> BigInt,
        webinars -> BigInt,
        recordings -> BigInt,
        removed -> BigInt,
        zoom_requests -> BigInt,
        next_reconcile_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    zoom_account_pauses (zoom_account_id) {
        zoom_account_id -> Text,
        paused_until -> Timestamp,
        reason -> Text,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Text,
        owner -> Text,
        fingerprint -> Text,
        lease_owner -> Text,
        lease_until -> Nullable<Timestamp>,
        answer_status -> Nullable<BigInt>,
        answer_sealed -> Nullable<Text>,
        answer_key_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    zoom_app_sessions (id_hash) {
        id_hash -> Text,
        zoom_user_id -> Text,
        mid -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    zoom_app_attempts (id_hash) {
        id_hash -> Text,
        session_hash -> Text,
        kind -> Text,
        state_hash -> Nullable<Text>,
        verifier_sealed -> Nullable<Text>,
        verifier_key_id -> Nullable<Text>,
        act_hash -> Nullable<Text>,
        outcome -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}
