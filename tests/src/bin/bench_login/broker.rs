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

/// What the brokers' warnings in `path` say they dropped: request log entries, and RP events
/// (each broker writes them behind, from a bounded list in memory).
pub(crate) fn dropped(path: &Path) -> Dropped {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut dropped = Dropped::default();
    for line in text.lines() {
        let line = without_colours(line);
        let Some(count) = line
            .split_once("dropped=")
            .and_then(|(_, rest)| rest.split_whitespace().next()?.parse::<u64>().ok())
        else {
            continue;
        };
        if line.contains("request log entries dropped") {
            dropped.request_log += count;
        } else if line.contains("RP events dropped") {
            dropped.rp_events += count;
        }
    }
    dropped
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dropped {
    pub(crate) request_log: u64,
    pub(crate) rp_events: u64,
}

/// `line` without its ANSI colour sequences (`ESC [ ... m`).
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn stderr_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(10)..].join("\n");
    format!("broker stderr ({}):\n{tail}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_counts_are_read_from_coloured_and_plain_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stderr.log");
        std::fs::write(
            &path,
            "\u{1b}[2m2026-12-07T22:10:10Z\u{1b}[0m \u{1b}[33m WARN\u{1b}[0m request log entries dropped: \
             the database did not keep up \u{1b}[3mdropped\u{1b}[0m\u{1b}[2m=\u{1b}[0m443\n\
             2026-12-07T22:10:11Z WARN request log entries dropped: the database did not keep up dropped=7\n\
             2026-12-07T22:10:11Z WARN RP events dropped: the database did not keep up dropped=2\n\
             2026-12-07T22:10:12Z INFO something else dropped=5\n",
        )
        .unwrap();
        assert_eq!(
            dropped(&path),
            Dropped {
                request_log: 450,
                rp_events: 2
            }
        );
        assert_eq!(dropped(&dir.path().join("missing")), Dropped::default());
    }
}
