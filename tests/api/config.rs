//! Start-up refuses bad configuration with one line naming the variable.

use std::process::Command;

fn marquee(vars: &[(&str, &str)]) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("marquee-cfg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marquee"));
    // Run in an empty directory so no .env is picked up, with no MARQUEE_* inherited.
    cmd.arg("serve").current_dir(&dir);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("MARQUEE_")) {
        cmd.env_remove(key);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(dir);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_and_malformed_settings_name_the_variable() {
    let (ok, stderr) = marquee(&[]);
    assert!(!ok);
    assert!(stderr.contains("MARQUEE_PLATFORM_KEY"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");

    let (ok, stderr) = marquee(&[
        ("MARQUEE_PLATFORM_KEY", "platform-key-platform-key-0001"),
        ("MARQUEE_ZOOM_CLIENT_ID", "id"),
        ("MARQUEE_ZOOM_CLIENT_SECRET", "secret"),
        ("MARQUEE_ZOOM_WEBHOOK_SECRET", "wh"),
        (
            "MARQUEE_ENCRYPTION_KEYS",
            "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ),
        ("MARQUEE_DATABASE_URL", "mysql://localhost/marquee"),
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("MARQUEE_DATABASE_URL") && stderr.contains("unsupported scheme"),
        "{stderr}"
    );
}
