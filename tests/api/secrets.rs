//! Tokens and credentials: never stored in plain text, never logged.

use crate::helpers::{TestApp, captured_logs};
use marquee::crypto::Sealed;

const TABLES: [&str; 9] = [
    "tenants",
    "api_keys",
    "admin_links",
    "admin_sessions",
    "oauth_states",
    "zoom_grants",
    "zoom_connections",
    "meetings",
    "audit_events",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_tokens_and_credentials_are_not_stored_or_logged_in_plain_text() {
    let app = TestApp::spawn().await;
    app.sim_user_with_meeting("secret-keeper@example.com", "Private")
        .await;
    app.create_tenant("vault").await;
    let api_key = app.api_key("vault", &["settings:read"]).await;
    let admin_link = app.admin_link("vault").await;
    let cookie = app.connect_site("vault").await;

    // Open the sealed tokens with the configured key to learn their plain values.
    let tenant = app.services.tenants().get("vault").await.unwrap();
    let tid = tenant.id.clone();
    let grant = app
        .services
        .store
        .read(move |mut db| {
            Box::pin(async move { marquee::store::grant::find_for_tenant(&mut db, &tid).await })
        })
        .await
        .unwrap()
        .unwrap();
    let access = app.keys.open(&grant.access_token(), &grant.id).unwrap();
    let refresh = app.keys.open(&grant.refresh_token(), &grant.id).unwrap();
    assert!(access.len() > 20 && refresh.len() > 20);
    assert_eq!(grant.key_id, "test1", "key id stored beside the ciphertext");
    // Sealed with the grant id as associated data: moved to another row, it does not open.
    let sealed = Sealed {
        key_id: grant.key_id.clone(),
        ciphertext: grant.access_token_sealed.clone(),
    };
    assert!(app.keys.open(&sealed, "another-grant").is_err());

    let session_value = cookie.trim_start_matches("marquee_session=");
    let link_token = admin_link.split("token=").nth(1).unwrap();
    let secrets = [
        access.as_str(),
        refresh.as_str(),
        api_key.as_str(),
        session_value,
        link_token,
    ];
    let mut everything = String::new();
    for table in TABLES {
        everything.push_str(
            &app.services
                .store
                .dump_table(table)
                .await
                .unwrap()
                .join("\n"),
        );
    }
    let logs = captured_logs();
    assert!(logs.contains("Zoom connected"), "logs were captured");
    for secret in secrets {
        assert!(
            !everything.contains(secret),
            "a secret is stored in plain text"
        );
        assert!(!logs.contains(secret), "a secret was logged");
    }
}
