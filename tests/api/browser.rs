//! Running a browser test: `node --test` on a file of `tests/browser/` (playwright-core driving
//! Debian's `/usr/bin/chromium`), and pages of "third-party" sites on other loopback origins.
//!
//! A test is skipped, with the reason printed, when node, chromium or `tests/browser/node_modules`
//! are missing — unless `MARQUEE_REQUIRE_BROWSER=1` (set by `.ci/run`), which turns a skip into a
//! failure so CI really runs it.

use std::path::Path;
use std::process::Command;

use poem::web::Html;
use poem::{Route, get, handler};

const CHROMIUM: &str = "/usr/bin/chromium";

fn missing_tools() -> Option<String> {
    let chromium = std::env::var("MQ_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "{chromium} not found (apt-get install -y chromium)"
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node not found".into());
    }
    for module in ["playwright-core", "axe-core", "ical.js"] {
        if !Path::new(&format!("tests/browser/node_modules/{module}")).exists() {
            return Some(format!(
                "tests/browser/node_modules/{module} missing (cd tests/browser && npm ci --no-audit --no-fund)"
            ));
        }
    }
    None
}

/// Whether the browser tests can run here; prints why not (and fails if CI requires them).
pub fn available() -> bool {
    let Some(reason) = missing_tools() else {
        return true;
    };
    assert!(
        std::env::var("MARQUEE_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "browser test required but cannot run: {reason}"
    );
    eprintln!("SKIPPED browser test: {reason}");
    false
}

/// Where screenshots go.
pub fn artifacts() -> String {
    std::env::var("MQ_ARTIFACTS").unwrap_or_else(|_| "tests/artifacts".into())
}

/// Runs `node --test tests/browser/{file}` with `env`; fails unless it passed `passes` tests.
pub async fn run_node_test(file: &str, env: Vec<(&'static str, String)>, passes: usize) {
    let path = format!("tests/browser/{file}");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-timeout=300000", &path])
            .envs(env)
            .env("MQ_ARTIFACTS", artifacts())
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(&format!("# pass {passes}")), "{stdout}");
}

/// Serves one HTML page on a fresh loopback port; returns its URL.
pub async fn third_party_site(page: String) -> String {
    #[handler]
    fn index(page: poem::web::Data<&String>) -> Html<String> {
        Html(page.0.clone())
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_std(listener).unwrap();
    let app = poem::EndpointExt::data(Route::new().at("/", get(index)), page);
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    url
}
