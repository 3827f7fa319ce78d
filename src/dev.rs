//! `marquee dev` and `marquee zoom-sim`: Marquee on SQLite with the built-in Zoom simulator,
//! zero configuration. Secrets it generates are kept in `{data_dir}/dev-secrets.env` so stored
//! tokens stay readable across restarts.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::app::{App, shutdown_signal};
use crate::config::{Config, LogFormat};
use crate::crypto::{KeyRing, random_token};
use crate::service::tenants::LinkDestinations;
use crate::telemetry;
use marquee_zoom_sim::{self as simulator, SeedOptions, SimConfig};

pub const DEV_CLIENT_ID: &str = "marquee-dev-client";
pub const DEV_CLIENT_SECRET: &str = "marquee-dev-client-secret";
pub const DEV_WEBHOOK_SECRET: &str = "marquee-dev-webhook-secret";
const DEMO_SITE: &str = "demo";

/// Options of `marquee dev`.
#[derive(Clone, Debug, clap::Args)]
pub struct DevOptions {
    /// Port for Marquee on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Port for the Zoom simulator on 127.0.0.1.
    #[arg(long, default_value_t = 8081)]
    pub sim_port: u16,
    /// Where the SQLite database and generated secrets live.
    #[arg(long, default_value = "data/dev")]
    pub data_dir: PathBuf,
}

/// Options of `marquee zoom-sim`.
#[derive(Clone, Debug, clap::Args)]
pub struct SimOptions {
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    #[arg(long, default_value = DEV_CLIENT_ID)]
    pub client_id: String,
    #[arg(long, default_value = DEV_CLIENT_SECRET)]
    pub client_secret: String,
    #[arg(long, default_value = DEV_WEBHOOK_SECRET)]
    pub webhook_secret: String,
    /// Allowed OAuth redirect URI (repeatable).
    #[arg(
        long = "redirect-uri",
        default_value = "http://127.0.0.1:8080/oauth/zoom/callback"
    )]
    pub redirect_uris: Vec<String>,
    /// Where to deliver signed webhook events.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Redirect at once as the signed-in user, without the consent page.
    #[arg(long)]
    pub auto_consent: bool,
    /// Seed of the generated world.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Hosts in the generated account.
    #[arg(long, default_value_t = 2)]
    pub hosts: usize,
    #[arg(long, default_value_t = 6)]
    pub meetings_per_host: usize,
    #[arg(long, default_value_t = 3)]
    pub recordings_per_host: usize,
}

pub async fn run_dev(opts: DevOptions) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Text);
    std::fs::create_dir_all(&opts.data_dir)
        .with_context(|| format!("creating {}", opts.data_dir.display()))?;
    let secrets = dev_secrets(&opts.data_dir.join("dev-secrets.env"))?;
    let public_url = format!("http://127.0.0.1:{}", opts.port);

    let mut sim_config = SimConfig::new(DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_WEBHOOK_SECRET);
    // The second: in-client OAuth of the Zoom App redirects to its home URL (docs/zoom-app.md).
    sim_config.redirect_uris = vec![
        format!("{public_url}/oauth/zoom/callback"),
        format!("{public_url}/zoomapp/home"),
    ];
    sim_config.seed = Some(SeedOptions::demo());
    // Zoom's events flow to Marquee as they would in production (signed, retried).
    sim_config.webhook_url = Some(format!("{public_url}/webhooks/zoom"));
    let sim = simulator::start(
        sim_config,
        SocketAddr::from(([127, 0, 0, 1], opts.sim_port)),
    )
    .await
    .with_context(|| format!("starting the Zoom simulator on port {}", opts.sim_port))?;

    let db = format!("sqlite://{}", opts.data_dir.join("marquee.db").display());
    let mut vars = secrets.clone();
    for (k, v) in [
        ("MARQUEE_DATABASE_URL", db.as_str()),
        ("MARQUEE_PUBLIC_URL", public_url.as_str()),
        ("MARQUEE_ZOOM_CLIENT_ID", DEV_CLIENT_ID),
        ("MARQUEE_ZOOM_CLIENT_SECRET", DEV_CLIENT_SECRET),
        ("MARQUEE_ZOOM_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET),
        ("MARQUEE_ZOOM_OAUTH_URL", sim.url()),
        ("MARQUEE_ZOOM_API_URL", &sim.api_url()),
        ("MARQUEE_TEMPLATES_RELOAD", "true"),
        // The dev receiver of outbound events is usually on this machine.
        ("MARQUEE_EVENTS_ALLOW_PRIVATE_URLS", "true"),
    ] {
        vars.insert(k.to_owned(), v.to_owned());
    }
    let config = Config::from_vars(&vars).map_err(|e| anyhow::anyhow!("dev configuration: {e}"))?;
    let env_file = opts.data_dir.join("marquee.env");
    write_env_file(&env_file, &vars)?;
    let app = App::build(config).await?;
    let services = app.services.clone();
    if services.tenants().get(DEMO_SITE).await.is_err() {
        services
            .tenants()
            .create(DEMO_SITE, "Demo Yoga Studio", &[])
            .await?;
    }
    let (admin_link, _) = services
        .tenants()
        .mint_admin_link(DEMO_SITE, LinkDestinations::default())
        .await?;
    let (_, serving) = app
        .bind(
            SocketAddr::from(([127, 0, 0, 1], opts.port)),
            shutdown_signal(),
        )
        .await?;

    println!(
        "\nMarquee dev is running (SQLite at {db}, Zoom simulator at {sim_url}).\n\n\
         \x20 1. Sign in as the demo site's owner (one-time link, 15 min):\n     {admin_link}\n\
         \x20    then press \"Connect Zoom\" and \"Allow\" on the simulated Zoom page.\n\
         \x20 2. The public meetings widget:   {public_url}/embed/{DEMO_SITE}/meetings\n\
         \x20    The recordings widget:        {public_url}/embed/{DEMO_SITE}/recordings\n\
         \x20    Embed snippets (admin API):   GET {public_url}/api/v1/admin/snippets\n\
         \x20    The public JSON:              {public_url}/api/v1/sites/{DEMO_SITE}/meetings\n\
         \x20 3. API docs:                     {public_url}/docs\n\
         \x20    Platform key, as X-Platform-Key: {platform_key}\n\
         \x20    The Zoom App as the Zoom client shows it (the simulator plays the client):\n\
         \x20    {sim_url}/zoomapp/home  (?user=<Zoom user id or e-mail>; default: the signed-in user)\n\n\
         \x20 4. The other commands, run in this folder, use this instance ({env_note}):\n\
         \x20    marquee status · marquee admin-link {DEMO_SITE} · marquee sync {DEMO_SITE}\n\n\
         Restart for a fresh admin link (data is kept in {data_dir}). Ctrl-C stops.\n",
        env_note = env_file_note(&env_file),
        sim_url = sim.url(),
        data_dir = opts.data_dir.display(),
        platform_key = secrets["MARQUEE_PLATFORM_KEY"],
    );
    serving.await?;
    sim.shutdown().await;
    Ok(())
}

/// Writes the dev instance's whole configuration where the other subcommands find it
/// (`config::load_env_file`), sorted so restarts rewrite the same file.
fn write_env_file(path: &Path, vars: &HashMap<String, String>) -> anyhow::Result<()> {
    let mut lines: Vec<String> = vars
        .iter()
        .filter(|(k, _)| k.starts_with("MARQUEE_") && k.as_str() != "MARQUEE_TEMPLATES_RELOAD")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.sort();
    let contents = format!(
        "# Written by `marquee dev` at each start: the dev instance's configuration, read by\n\
         # `marquee status`, `tenant`, `admin-link`, `sync`, `webhooks` run in this folder. Dev only.\n{}\n",
        lines.join("\n")
    );
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// How the other subcommands find the file just written.
fn env_file_note(path: &Path) -> String {
    if path == Path::new(crate::config::DEV_ENV_FILE) {
        format!("{} is read by default", path.display())
    } else {
        format!("set MARQUEE_ENV_FILE={}", path.display())
    }
}

/// Loads the dev secrets file, creating it with fresh random values the first time.
fn dev_secrets(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    if !path.exists() {
        let contents = format!(
            "# Generated by `marquee dev`; keeps stored tokens readable across restarts. Dev only.\n\
             MARQUEE_ENCRYPTION_KEYS={}\nMARQUEE_PLATFORM_KEY={}\n",
            KeyRing::generate_spec("dev1"),
            random_token("dev_platform_"),
        );
        std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    }
    let vars = dotenvy::from_path_iter(path)
        .with_context(|| format!("reading {}", path.display()))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(vars)
}

pub async fn run_zoom_sim(opts: SimOptions) -> anyhow::Result<()> {
    telemetry::init(LogFormat::Text);
    let mut config = SimConfig::new(opts.client_id, opts.client_secret, opts.webhook_secret);
    config.redirect_uris = opts.redirect_uris;
    config.webhook_url = opts.webhook_url;
    config.auto_consent = opts.auto_consent;
    config.seed = Some(SeedOptions {
        seed: opts.seed,
        hosts: opts.hosts,
        meetings_per_host: opts.meetings_per_host,
        recordings_per_host: opts.recordings_per_host,
        months_of_recordings: 3,
    });
    let sim = simulator::start(config, opts.listen).await?;
    println!(
        "Zoom simulator on {} (OAuth at /oauth/*, API at /v2, control API at /_sim). Ctrl-C stops.",
        sim.url()
    );
    shutdown_signal().await;
    sim.shutdown().await;
    Ok(())
}
