//! Wiring: from a validated [`Config`] to a running server. Used by `serve`, `dev` and tests.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use poem::listener::TcpAcceptor;
use poem::{Endpoint, Server};

use crate::config::Config;
use crate::service::Services;
use crate::store::Store;
use crate::templates::Templates;

/// A built application: storage opened and migrated, templates compiled.
pub struct App {
    pub services: Services,
    templates: Templates,
}

impl App {
    /// Opens the database, applies pending migrations and compiles the templates.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        crate::telemetry::metrics::install();
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| format!("opening {}", config.database_url.display_redacted()))?;
        let applied = store.migrate().await.context("applying migrations")?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "database migrated");
        }
        let templates =
            Templates::load_from(config.templates_dir.as_deref()).context("compiling templates")?;
        if config.templates_reload {
            templates.watch();
        }
        Ok(Self {
            services: Services::new(Arc::new(config), store),
            templates,
        })
    }

    pub fn endpoint(&self) -> impl Endpoint + use<> {
        crate::http::routes(self.services.clone(), self.templates.clone())
    }

    /// Binds `addr` (port 0 picks a free port); see [`App::serve_on`].
    pub async fn bind(
        self,
        addr: SocketAddr,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<(SocketAddr, impl Future<Output = std::io::Result<()>>)> {
        let listener =
            std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
        self.serve_on(listener, shutdown)
    }

    /// Serves on an already bound listener (tests bind first to learn the port, then build the
    /// config that names it). Returns the address and a future that serves until `shutdown`.
    /// The background workers (webhook events, sync jobs, reconciles) run alongside unless
    /// `MARQUEE_WORKERS=false`, and stop with the server.
    pub fn serve_on(
        self,
        listener: std::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<(SocketAddr, impl Future<Output = std::io::Result<()>>)> {
        let local = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let acceptor = TcpAcceptor::from_std(listener)?;
        let endpoint = self.endpoint();
        let workers = self
            .services
            .config()
            .sync
            .workers
            .then(|| self.services.workers().start());
        let server = Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
            endpoint,
            shutdown,
            Some(std::time::Duration::from_secs(10)),
        );
        let serving = async move {
            let result = server.await;
            if let Some(workers) = workers {
                workers.stop().await;
            }
            result
        };
        Ok((local, serving))
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
