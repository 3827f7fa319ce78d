//! `marquee sync <site>` and `marquee webhooks …`: the sync engine and the webhook queue from the
//! command line. Both work against the database directly, so they also work while no server
//! runs; with servers running, leases keep everyone from doing the same work twice.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::App;
use crate::domain::status::{JobStatus, SyncKind, WebhookEventStatus};

/// Options of `marquee sync`.
#[derive(Clone, Debug, clap::Args)]
pub struct SyncOptions {
    /// The site's slug.
    pub site: String,
    /// `backfill` (everything, recordings back to the horizon) or `reconcile` (recent months).
    #[arg(long, default_value = SyncKind::Backfill.as_str())]
    pub kind: String,
}

/// `marquee webhooks …`.
#[derive(clap::Subcommand)]
pub enum WebhooksCommand {
    /// List stored Zoom events, newest first.
    List {
        /// Only events in this status.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
            WebhookEventStatus::ALL.iter().map(|s| s.as_str())
        ))]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Apply failed events again (or the given event ids, in any status), here and now.
    Replay {
        /// Event ids; none = every failed event.
        ids: Vec<String>,
    },
}

const POLL: Duration = Duration::from_millis(200);

/// Runs one sync of the site with a progress bar (or follows the one already running).
pub async fn sync(app: App, opts: SyncOptions) -> anyhow::Result<()> {
    let kind = whole_site_kind(&opts.kind)?;
    let s = app.services;
    let tenant = s.tenants().get(&opts.site).await?;
    let job_id = s.sync().enqueue(&tenant.id, kind, "").await?;
    let runner = {
        let (s, id) = (s.clone(), job_id.clone());
        tokio::spawn(async move { s.sync_jobs().run_by_id(&id).await })
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} {msg:<24} [{bar:40}] {pos}/{len} {elapsed}")?
            .progress_chars("=> "),
    );
    let job = loop {
        let job = s.sync().job(&job_id).await?;
        bar.set_length(job.total.max(0) as u64);
        bar.set_position(job.done.max(0) as u64);
        bar.set_message(job.note.clone());
        if job.status.is_finished() {
            break job;
        }
        if runner.is_finished() && job.status == JobStatus::Queued {
            // Postponed (rate limit, Zoom unavailable): a running server takes it from here.
            bar.abandon_with_message("postponed");
            println!(
                "{}: postponed ({}); a running Marquee will resume it",
                opts.site,
                job.error.unwrap_or_default()
            );
            return Ok(());
        }
        tokio::time::sleep(POLL).await;
    };
    bar.finish_with_message(job.status.as_str());
    let _ = runner.await;
    let status = s.sync().status_of(&tenant.id).await?;
    match job.status {
        JobStatus::Done => {
            println!(
                "{}: {} ({} Zoom requests)",
                opts.site,
                job.result.unwrap_or_default(),
                status.zoom_requests
            );
            Ok(())
        }
        JobStatus::Failed | JobStatus::Queued | JobStatus::Running => anyhow::bail!(
            "{}: sync failed: {}",
            opts.site,
            job.error.unwrap_or_default()
        ),
    }
}

/// The `--kind` of `marquee sync`: one of the kinds that sync the whole site.
fn whole_site_kind(text: &str) -> anyhow::Result<SyncKind> {
    SyncKind::parse(text)
        .filter(|kind| kind.is_whole_site())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--kind must be {} or {}",
                SyncKind::Backfill,
                SyncKind::Reconcile
            )
        })
}

pub async fn webhooks(app: App, command: WebhooksCommand) -> anyhow::Result<()> {
    let s = app.services;
    match command {
        WebhooksCommand::List { status, limit } => {
            for e in s.events().list(status, limit).await? {
                println!(
                    "{}\t{}\t{}\t{}\tattempts={}\t{}",
                    e.id,
                    e.received_at.and_utc().to_rfc3339(),
                    e.event,
                    e.status,
                    e.attempts,
                    e.last_error.or(e.outcome).unwrap_or_default()
                );
            }
        }
        WebhooksCommand::Replay { ids } => {
            let ids = (!ids.is_empty()).then_some(ids);
            let queued = s.events().replay(ids).await?;
            let mut handled = 0;
            while handled < queued {
                let n = s.events().process_due(50).await?;
                if n == 0 {
                    break;
                }
                handled += n;
            }
            println!("{queued} event(s) queued again, {handled} processed here");
        }
    }
    Ok(())
}
