//! Start-up refuses bad configuration with one line naming the variable (every missing one at
//! once), and the subcommands run beside `marquee dev` read the file it writes.

use std::path::Path;
use std::process::{Command, Output};

/// `marquee args…` in `dir` with only `vars` of the `MARQUEE_*` variables.
fn run_in(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marquee"));
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("MARQUEE_")) {
        cmd.env_remove(key);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn empty_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("marquee-cfg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn marquee(vars: &[(&str, &str)]) -> (bool, String) {
    // Run in an empty directory so no .env is picked up, with no MARQUEE_* inherited.
    let dir = empty_dir();
    let out = run_in(&dir, &["serve"], vars);
    let _ = std::fs::remove_dir_all(dir);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_missing_variable_is_named_in_one_line() {
    let (ok, stderr) = marquee(&[("MARQUEE_ZOOM_CLIENT_ID", "id")]);
    assert!(!ok);
    for name in [
        "MARQUEE_PLATFORM_KEY",
        "MARQUEE_ZOOM_CLIENT_SECRET",
        "MARQUEE_ZOOM_WEBHOOK_SECRET",
        "MARQUEE_ENCRYPTION_KEYS",
    ] {
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
    assert!(!stderr.contains("MARQUEE_ZOOM_CLIENT_ID"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
}

#[test]
fn subcommands_in_the_folder_of_marquee_dev_use_its_configuration() {
    let dir = empty_dir();
    std::fs::create_dir_all(dir.join("data/dev")).unwrap();
    // What `marquee dev` writes (src/dev.rs), with a database of this test's own.
    let file = "MARQUEE_DATABASE_URL=sqlite://data/dev/marquee.db\n\
                MARQUEE_PLATFORM_KEY=platform-key-platform-key-0001\n\
                MARQUEE_ZOOM_CLIENT_ID=id\nMARQUEE_ZOOM_CLIENT_SECRET=secret\n\
                MARQUEE_ZOOM_WEBHOOK_SECRET=wh\n\
                MARQUEE_ENCRYPTION_KEYS=k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
    std::fs::write(dir.join("data/dev/marquee.env"), file).unwrap();
    let created = run_in(&dir, &["tenant", "create", "beside-dev"], &[]);
    assert!(created.status.success(), "{created:?}");
    let status = run_in(&dir, &["status"], &[]);
    let table = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.status.success(), "{status:?}");
    assert!(table.starts_with("SITE"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("beside-dev") && l.contains("never_connected")),
        "{table}"
    );
    let link = run_in(&dir, &["admin-link", "beside-dev"], &[]);
    assert!(
        String::from_utf8_lossy(&link.stdout).contains("/admin/login?token="),
        "{link:?}"
    );
    // Closed sets of values are checked by the parser, not answered with an empty list.
    let bogus = run_in(&dir, &["webhooks", "list", "--status", "bogus"], &[]);
    assert!(!bogus.status.success());
    assert!(
        String::from_utf8_lossy(&bogus.stderr).contains("possible values"),
        "{bogus:?}"
    );
    let bogus = run_in(&dir, &["status", "--state", "sleepy"], &[]);
    assert!(!bogus.status.success());
    let _ = std::fs::remove_dir_all(dir);
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
