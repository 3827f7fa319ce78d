//! Starting and stopping a simulator: bind the port, build the (seeded) world, start webhook
//! delivery and serve the router until [`RunningSimulator::shutdown`] or drop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SimConfig;
use crate::http::acceptor::KillableAcceptor;
use crate::sim::Sim;
use crate::{delivery, http, seed};

/// A simulator serving on a loopback port. Dropping it stops the server too.
pub struct RunningSimulator {
    url: String,
    shutdown_tx: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    sim: Arc<Sim>,
}

impl RunningSimulator {
    /// e.g. `http://127.0.0.1:41234`, no trailing slash. Serves `/oauth/*`, `/v2/*` and `/_sim/*`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `url() + "/v2"`: what Marquee uses as `ZOOM_API_URL`.
    pub fn api_url(&self) -> String {
        format!("{}/v2", self.url)
    }

    /// The Zoom user currently "signed in" on the simulated zoom.us (the one who consents).
    pub fn signed_in_user_id(&self) -> Option<String> {
        self.sim.world().session_user.clone()
    }

    /// Stops accepting connections, waits up to one second for in-flight requests, and stops
    /// webhook delivery.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(3), server).await;
        }
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        self.sim.webhooks.close();
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds `bind` (use `127.0.0.1:0` for tests), seeds the world and serves until shutdown.
pub async fn start(config: SimConfig, bind: SocketAddr) -> anyhow::Result<RunningSimulator> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let mut local = listener.local_addr()?;
    if local.ip().is_unspecified() {
        local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{local}");
    let world = seed::initial_world(&config, &url, Utc::now());
    let sim = Sim::new(config, url.clone(), world)?;
    delivery::spawn_dispatcher(&sim);
    let app = http::router(&sim);
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let acceptor = KillableAcceptor::new(listener, sim.conns.clone());
    let server = tokio::spawn(async move {
        let signal = async {
            let _ = shutdown_rx.await;
        };
        let result = poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, signal, Some(Duration::from_secs(1)))
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "zoom simulator server stopped with an error");
        }
    });
    tracing::info!(%url, "zoom simulator listening");
    Ok(RunningSimulator {
        url,
        shutdown_tx: Some(shutdown_tx),
        server: Some(server),
        sim,
    })
}
