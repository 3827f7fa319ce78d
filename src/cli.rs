//! The `marquee` command line. Configuration is loaded here, once, and passed down.

use std::collections::HashMap;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{App, shutdown_signal};
use crate::config::{Config, DEFAULT_DATABASE_URL, DatabaseUrl};
#[cfg(feature = "simulator")]
use crate::dev::{DevOptions, SimOptions, run_dev, run_zoom_sim};
use crate::service::tenants::LinkDestinations;
use crate::store::Store;
use crate::telemetry;
#[cfg(not(feature = "simulator"))]
use no_simulator::{
    NoSimulator as DevOptions, NoSimulator as SimOptions, refuse as run_dev, refuse as run_zoom_sim,
};

#[cfg(not(feature = "simulator"))]
mod no_simulator;
mod status;
mod sync;

#[derive(Parser)]
#[command(
    name = "marquee",
    version,
    about = "Each site owner's own Zoom meetings on their own website."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run Marquee (production): configuration from MARQUEE_* variables or .env.
    Serve,
    /// Try Marquee locally: SQLite, the built-in Zoom simulator and a demo site; prints the URLs.
    Dev(DevOptions),
    /// Run the Zoom simulator alone.
    ZoomSim(SimOptions),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage sites (tenants).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Print a one-time admin link for a site's owner.
    AdminLink {
        /// The site's slug.
        site: String,
    },
    /// Every site's Zoom connection health as a table (like GET /api/v1/platform/sites/health).
    Status(status::StatusOptions),
    /// Sync a site with Zoom now, with a progress bar.
    Sync(sync::SyncOptions),
    /// Stored Zoom webhook events: list, replay.
    Webhooks {
        #[command(subcommand)]
        command: sync::WebhooksCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Encryption keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-encrypt every stored secret with the first key of MARQUEE_ENCRYPTION_KEYS.
    Rotate,
    /// Print a new random key spec to put in MARQUEE_ENCRYPTION_KEYS.
    Generate {
        /// The new key's id.
        #[arg(long, default_value = "k2")]
        id: String,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a site.
    Create {
        slug: String,
        /// Display name (defaults to the slug).
        #[arg(long)]
        name: Option<String>,
    },
    /// List sites.
    List,
    /// Delete a site and everything stored for it.
    Delete { slug: String },
}

/// Entry point of the binary.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", crate::http::api::spec_json());
        return Ok(());
    }
    // Migrations block in place, which needs the multi-threaded runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(dispatch(cli.command))
}

async fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(load_config()?).await,
        Command::Dev(opts) => run_dev(opts).await,
        Command::ZoomSim(opts) => run_zoom_sim(opts).await,
        Command::Migrate => migrate().await,
        Command::Tenant { command } => tenant(command).await,
        Command::AdminLink { site } => {
            let app = App::build(load_config()?).await?;
            let (url, expires_at) = app
                .services
                .tenants()
                .mint_admin_link(&site, LinkDestinations::default())
                .await?;
            println!("{url}\n(valid once, until {expires_at} UTC)");
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            let app = App::build(load_config()?).await?;
            let moved = app.services.key_rotation().rotate().await?;
            println!(
                "{moved} secret(s) re-encrypted with key {:?}",
                app.services.config().keys.current_key_id()
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Generate { id },
        } => {
            println!("{}", crate::crypto::KeyRing::generate_spec(&id));
            Ok(())
        }
        Command::Status(opts) => status::status(App::build(load_config()?).await?, opts).await,
        Command::Sync(opts) => sync::sync(App::build(load_config()?).await?, opts).await,
        Command::Webhooks { command } => {
            sync::webhooks(App::build(load_config()?).await?, command).await
        }
        Command::Openapi => unreachable!("handled before the runtime starts"),
    }
}

/// Loads configuration; a problem ends the process with one line naming the variable.
fn load_config() -> anyhow::Result<Config> {
    Config::from_env().map_err(|e| anyhow::anyhow!("configuration error: {e}"))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    let listen = config.listen;
    let public_url = config.public_url.clone();
    let app = App::build(config).await?;
    let (addr, serving) = app.bind(listen, shutdown_signal()).await?;
    tracing::info!(%addr, %public_url, "Marquee is listening");
    serving.await.context("server failed")
}

/// `migrate` needs only the database URL.
async fn migrate() -> anyhow::Result<()> {
    crate::config::load_env_file();
    let vars: HashMap<String, String> = std::env::vars().collect();
    let raw = vars
        .get("MARQUEE_DATABASE_URL")
        .map(String::as_str)
        .unwrap_or(DEFAULT_DATABASE_URL);
    let url = DatabaseUrl::parse(raw)
        .map_err(|e| anyhow::anyhow!("configuration error: MARQUEE_DATABASE_URL: {e}"))?;
    let store = Store::connect(&url).await?;
    let applied = store.migrate().await?;
    println!(
        "{} migration(s) applied to {}",
        applied.len(),
        url.display_redacted()
    );
    Ok(())
}

async fn tenant(command: TenantCommand) -> anyhow::Result<()> {
    let app = App::build(load_config()?).await?;
    let s = &app.services;
    match command {
        TenantCommand::Create { slug, name } => {
            let tenant = s
                .tenants()
                .create(&slug, name.as_deref().unwrap_or(&slug), &[])
                .await?;
            println!("created {} ({})", tenant.slug, tenant.display_name);
        }
        TenantCommand::List => {
            let mut after: Option<String> = None;
            loop {
                let page = s.tenants().list(after.clone(), 200).await?;
                for t in &page.items {
                    println!(
                        "{}\t{}\t{}",
                        t.slug,
                        t.display_name,
                        t.created_at.and_utc().to_rfc3339()
                    );
                }
                match page.next_after {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        TenantCommand::Delete { slug } => {
            s.tenants().delete(&slug).await?;
            println!("deleted {slug}");
        }
    }
    Ok(())
}
