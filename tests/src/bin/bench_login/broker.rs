//! The broker process: spawning `broker --auto-approve`, timing its start, and stopping it.

use anyhow::{anyhow, bail, Context, Result};
use reqwest::{Client, StatusCode};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::DISCOVERY;

/// How long a start may take before the driver gives up (the first start generates an RSA key).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the broker gets to exit after SIGINT before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A running broker child process. Killed when dropped.
pub(crate) struct BrokerProcess {
    child: Child,
    pub(crate) pid: u32,
    /// `http://127.0.0.1:PORT`: where requests go.
    pub(crate) base: String,
    /// The issuer the broker announced (`http://localhost:PORT`).
    pub(crate) issuer: String,
    /// Spawn to the stdout line.
    pub(crate) line_after: Duration,
    /// Spawn to the first 200 from discovery.
    pub(crate) ready_after: Duration,
    stderr_log: PathBuf,
    /// Held so the broker's stdout stays open.
    _stdout: Lines<BufReader<ChildStdout>>,
}

impl BrokerProcess {
    /// Spawns the broker and waits for the first 200 from discovery.
    pub(crate) async fn start(
        binary: &Path,
        data_dir: &Path,
        database: Option<&str>,
        issuer: Option<&str>,
        stderr_log: &Path,
        client: &Client,
    ) -> Result<Self> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(stderr_log)
            .with_context(|| format!("opening {}", stderr_log.display()))?;
        let t0 = Instant::now();
        let mut command = Command::new(binary);
        if let Some(url) = database {
            command.arg("--database").arg(url).env(
                "BROKER_KEY_ENCRYPTION_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            );
        }
        if let Some(issuer) = issuer {
            command.arg("--issuer").arg(issuer);
        }
        let mut child = command
            .arg("--auto-approve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (build it with `cargo build --release -p broker`)",
                    binary.display()
                )
            })?;
        let pid = child.id().context("the broker has no pid")?;
        let stdout = child.stdout.take().context("the broker's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(START_TIMEOUT, lines.next_line())
            .await
            .map_err(|_| anyhow!("no stdout line from the broker within {START_TIMEOUT:?}"))
            .and_then(|r| r.context("reading the broker's stdout"))
            .and_then(|l| l.context("the broker exited before it was ready"))
            .with_context(|| stderr_tail(stderr_log))?;
        let line_after = t0.elapsed();
        let (port, issuer) = parse_ready_line(&line)?;
        let base = format!("http://127.0.0.1:{port}");

        // Poll discovery as fast as possible until it answers 200.
        let url = format!("{base}{DISCOVERY}");
        let deadline = t0 + START_TIMEOUT;
        let ready_after = loop {
            let last = match client.get(&url).send().await {
                Ok(r) if r.status() == StatusCode::OK => {
                    let at = t0.elapsed();
                    r.bytes().await.context("reading the discovery document")?;
                    break at;
                }
                Ok(r) => format!("status {}", r.status()),
                Err(e) => e.to_string(),
            };
            if Instant::now() > deadline {
                bail!("discovery did not answer 200 within {START_TIMEOUT:?}: {last}");
            }
            tokio::task::yield_now().await;
        };
        Ok(Self {
            child,
            pid,
            base,
            issuer,
            line_after,
            ready_after,
            stderr_log: stderr_log.to_path_buf(),
            _stdout: lines,
        })
    }

    /// Stops the broker with SIGINT (its Ctrl-C handler shuts down cleanly); kills it if it
    /// does not exit in time.
    pub(crate) async fn stop(mut self) -> Result<()> {
        let sent = std::process::Command::new("kill")
            .arg("-INT")
            .arg(self.pid.to_string())
            .status();
        if matches!(sent, Ok(s) if s.success()) {
            if let Ok(status) = tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await {
                status.context("waiting for the broker")?;
                return Ok(());
            }
        }
        self.child.start_kill().context("killing the broker")?;
        self.child.wait().await.context("waiting for the broker")?;
        Ok(())
    }

    pub(crate) fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "the broker exited ({status}); {}",
                stderr_tail(&self.stderr_log)
            );
        }
        Ok(())
    }
}

/// `broker listening on http://127.0.0.1:PORT (issuer http://localhost:PORT) [auto-approve]`
fn parse_ready_line(line: &str) -> Result<(u16, String)> {
    let bad = || anyhow!("unexpected stdout line from the broker: {line:?}");
    let rest = line
        .strip_prefix("broker listening on http://")
        .ok_or_else(bad)?;
    let addr = rest.split_whitespace().next().ok_or_else(bad)?;
    let port = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .ok_or_else(bad)?;
    let issuer = rest
        .split_once("(issuer ")
        .and_then(|(_, i)| i.split_once(')'))
        .map(|(i, _)| i.to_string())
        .ok_or_else(bad)?;
    Ok((port, issuer))
}

fn stderr_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(10)..].join("\n");
    format!("broker stderr ({}):\n{tail}", path.display())
}
