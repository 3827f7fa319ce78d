//! `marquee status`: every site's Zoom connection health as a table, the same rows as the
//! platform API's `GET /api/v1/platform/sites/health`.

use chrono::NaiveDateTime;

use crate::app::App;
use crate::domain::status::ConnectionState;
use crate::service::health::SiteHealth;

/// Options of `marquee status`.
#[derive(Clone, Debug, clap::Args)]
pub struct StatusOptions {
    /// Only sites in this state.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
        ConnectionState::ALL.iter().map(|s| s.as_str())
    ))]
    pub state: Option<String>,
}

const HEADER: [&str; 7] = [
    "SITE",
    "STATE",
    "LAST SYNC",
    "SYNC LAG",
    "LAST WEBHOOK",
    "MISSING SCOPES",
    "LAST FAILURE",
];

pub async fn status(app: App, opts: StatusOptions) -> anyhow::Result<()> {
    let state = opts.state.as_deref().and_then(ConnectionState::parse);
    let mut rows = vec![HEADER.map(str::to_owned).to_vec()];
    let mut after = None;
    loop {
        let page = app.services.health().list(state, after, 200).await?;
        rows.extend(page.items.iter().map(row));
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    print!("{}", table(&rows));
    Ok(())
}

fn row(h: &SiteHealth) -> Vec<String> {
    vec![
        h.slug.clone(),
        h.state.as_str().to_owned(),
        time(h.last_sync_at),
        h.sync_lag_secs.map_or_else(|| "-".to_owned(), lag),
        time(h.last_webhook_at),
        if h.missing_scopes.is_empty() {
            "-".to_owned()
        } else {
            h.missing_scopes.join(",")
        },
        h.last_failure.as_ref().map_or_else(
            || "-".to_owned(),
            |f| format!("{} {}", time(f.at), f.reason),
        ),
    ]
}

fn time(at: Option<NaiveDateTime>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// `90` → `1m30s`; hours and days for longer lags.
fn lag(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// Columns padded to their widest cell; the last column is not padded.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c + 1 == columns {
                    cell.clone()
                } else {
                    format!("{cell:<width$}", width = widths[c])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lags_read_like_durations() {
        assert_eq!(lag(5), "5s");
        assert_eq!(lag(90), "1m30s");
        assert_eq!(lag(7260), "2h01m");
        assert_eq!(lag(90_000), "1d01h");
    }

    #[test]
    fn columns_line_up() {
        let rows = vec![
            vec!["SITE".to_owned(), "STATE".to_owned()],
            vec!["a-long-site".to_owned(), "connected".to_owned()],
        ];
        assert_eq!(table(&rows), "SITE         STATE\na-long-site  connected\n");
    }
}
