//! The in-process test host: a broker inside the test's own process, on port 0, with an
//! in-memory database (or a data directory, for restart tests) and a controllable clock.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let host = broker::host::TestHost::start().await?;
//! let issuer = host.issuer();
//! host.control().post("/decisions", &serde_json::json!({"outcome": "approve"})).await?;
//! host.clock().advance(61);
//! # Ok(()) }
//! ```

use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

use crate::clock::{Clock, ManualClock};
use crate::config::Config;
use crate::paths;
use crate::server::{start, RunningBroker, Storage};

pub struct TestHost {
    running: RunningBroker,
    clock: Arc<ManualClock>,
    control: ControlClient,
}

impl TestHost {
    /// A broker with an in-memory store, interactive mode, and a manual clock.
    pub async fn start() -> anyhow::Result<TestHost> {
        TestHost::start_with(|_| {}).await
    }

    /// As [`TestHost::start`], after `adjust` has changed the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> anyhow::Result<TestHost> {
        let mut config = test_config();
        adjust(&mut config);
        TestHost::launch(
            config,
            Arc::new(ManualClock::starting_now()),
            Storage::Memory,
        )
        .await
    }

    /// A broker whose state lives in `data_dir`, on the given clock (restart tests).
    pub async fn start_in(
        data_dir: &Path,
        clock: Arc<ManualClock>,
        adjust: impl FnOnce(&mut Config),
    ) -> anyhow::Result<TestHost> {
        let mut config = test_config();
        config.data_dir = data_dir.to_path_buf();
        adjust(&mut config);
        TestHost::launch(config, clock, Storage::DataDir).await
    }

    async fn launch(
        config: Config,
        clock: Arc<ManualClock>,
        storage: Storage,
    ) -> anyhow::Result<TestHost> {
        let dyn_clock: Arc<dyn Clock> = clock.clone();
        let token = config.control_token.clone();
        let running = start(config, dyn_clock, storage).await?;
        let control = match &running.tls {
            Some(files) => ControlClient::trusting(
                &format!(
                    "https://localhost:{}{}",
                    running.local_addr.port(),
                    paths::CONTROL
                ),
                &files.ca_cert,
            )?,
            None => ControlClient::new(&format!("http://{}{}", running.local_addr, paths::CONTROL)),
        }
        .with_token(token);
        Ok(TestHost {
            running,
            clock,
            control,
        })
    }

    pub fn issuer(&self) -> &str {
        self.running.issuer()
    }

    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    pub fn clock_handle(&self) -> Arc<ManualClock> {
        Arc::clone(&self.clock)
    }

    pub fn control(&self) -> &ControlClient {
        &self.control
    }

    /// The certificate files when serving https (`config.tls.enabled`).
    pub fn tls(&self) -> Option<&localca::Provisioned> {
        self.running.tls.as_ref()
    }

    pub fn broker(&self) -> &crate::Broker {
        &self.running.broker
    }

    /// Stops the server and releases its database (restart tests).
    pub async fn stop(self) {
        self.running.stop().await;
    }
}

fn test_config() -> Config {
    Config {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Config::default()
    }
}

/// A small JSON client for the control API.
#[derive(Clone)]
pub struct ControlClient {
    base: String,
    http: reqwest::Client,
    /// The broker's control token, sent as a bearer token when set.
    token: Option<String>,
}

/// A control API answer: status and JSON body (Null when empty).
#[derive(Debug)]
pub struct ControlResponse {
    pub status: u16,
    pub body: Value,
}

impl ControlClient {
    pub fn new(base: &str) -> ControlClient {
        ControlClient {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            token: None,
        }
    }

    /// A client for a broker serving https with a certificate from the CA in `ca_file`.
    pub fn trusting(base: &str, ca_file: &Path) -> anyhow::Result<ControlClient> {
        let mut http = reqwest::Client::builder();
        for root in reqwest::Certificate::from_pem_bundle(&std::fs::read(ca_file)?)? {
            http = http.add_root_certificate(root);
        }
        Ok(ControlClient {
            base: base.trim_end_matches('/').to_string(),
            http: http.build()?,
            token: None,
        })
    }

    /// The same client, sending `token` (a broker's control token) as a bearer token.
    pub fn with_token(self, token: Option<String>) -> ControlClient {
        ControlClient { token, ..self }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<ControlResponse> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)?
        };
        Ok(ControlResponse { status, body })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<ControlResponse> {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<ControlResponse> {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> anyhow::Result<ControlResponse> {
        self.send(self.http.patch(format!("{}{path}", self.base)).json(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> anyhow::Result<ControlResponse> {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }
}
