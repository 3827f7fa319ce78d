//! Logging. Readable text by default, JSON with `MARQUEE_LOG_FORMAT=json`; the filter comes from
//! `MARQUEE_LOG` (default `info`). Rule: never log tokens, keys, cookies, e-mail bodies or
//! request bodies — log ids (`tenant.id`, `zoom.account_id`) and Zoom's `x-zm-trackingid`.

use tracing_subscriber::fmt::MakeWriter;
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
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(true);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
