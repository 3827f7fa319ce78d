//! Logging. Readable text by default, JSON with `MARQUEE_LOG_FORMAT=json`; the filter comes from
//! `MARQUEE_LOG` (default `info`). Rule: never log tokens, keys, cookies, e-mail bodies or
//! request bodies — log ids (`tenant.id`, `zoom.account_id`) and Zoom's `x-zm-trackingid`.
//! Every line logged inside a request's span names the request's id (docs/operations.md
//! documents the JSON line field by field). [`metrics`] holds the Prometheus metrics.

pub mod metrics;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogFormat;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("MARQUEE_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the global subscriber writing to stderr. Safe to call more than once.
pub fn init(format: LogFormat) {
    init_with_writer(format, std::io::stderr, filter());
}

/// Installs the global subscriber with a custom writer and filter (tests capture logs this way).
pub fn init_with_writer<W>(format: LogFormat, writer: W, filter: EnvFilter)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // A subscriber installed earlier (another test, a second call) stays.
    let _already = match format {
        LogFormat::Text => fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .with_target(true)
            .try_init()
            .is_err(),
        LogFormat::Json => json_subscriber(writer, filter).try_init().is_err(),
    };
}

/// The JSON format: one object per line, the event's fields flattened beside `message`, the
/// innermost span as `span` and every open span as `spans` (so a request's `request_id`).
fn json_subscriber<W>(writer: W, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(true)
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(true)
        .finish()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn deep_in_a_service() {
        tracing::warn!(tenant.id = "t-1", "something to look at");
    }

    #[test]
    fn json_lines_inside_a_request_carry_its_id() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = json_subscriber(move || writer.clone(), EnvFilter::new("info"));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = "req-42", http.path = "/x");
            let _inside = span.enter();
            deep_in_a_service();
            tracing::info!(http.status = 200, duration_ms = 1.5, "request");
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let parsed: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert_eq!(parsed.len(), 2, "{text}");
        for line in &parsed {
            assert_eq!(line["span"]["request_id"], "req-42", "{line}");
            assert_eq!(line["spans"][0]["name"], "request", "{line}");
            assert!(
                line["timestamp"].is_string() && line["level"].is_string(),
                "{line}"
            );
            assert!(
                line["target"].as_str().unwrap().starts_with("marquee"),
                "{line}"
            );
        }
        assert_eq!(parsed[0]["tenant.id"], "t-1");
        assert_eq!(parsed[0]["message"], "something to look at");
        assert_eq!(parsed[1]["http.status"], 200);
    }
}
