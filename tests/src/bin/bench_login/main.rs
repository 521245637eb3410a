#![allow(clippy::disallowed_methods)] // a benchmark measures wall time

//! `bench_login`: a load driver for the broker, run as a separate process.
//!
//! It starts `broker --auto-approve` on a fresh data directory (once to create the keys, then
//! again, measured, with the stored keys), drives the headless login (authorize -> code ->
//! token -> userinfo) with 1 and with 8 concurrent clients, hammers discovery and JWKS, reads
//! the broker's CPU time and resident memory from /proc, and prints a markdown table of the
//! figures against the targets.
//!
//! ```text
//! cargo build --release -p broker -p tests --bin broker --bin bench_login
//! target/release/bench_login --out bench.md
//! ```
//!
//! A missed target does not fail the run (it is a benchmark, not a test); a failed login does.

mod broker;
mod login;
mod phases;
mod procfs;
mod report;
mod run;

use anyhow::{bail, Context, Result};
use clap::Parser;
use std::path::PathBuf;

use phases::StaticClient;
use run::run;

const DISCOVERY: &str = "/.well-known/openid-configuration";

#[derive(Parser, Debug)]
#[command(
    name = "bench_login",
    about = "Load driver for the broker: start-up time, headless logins, discovery and JWKS"
)]
struct Args {
    /// The broker binary (build it with `cargo build --release -p broker`).
    #[arg(long, default_value = "target/release/broker")]
    broker: PathBuf,
    /// Logins in the whole run: the warm-up, then one third with 1 client and the rest with
    /// `--clients` concurrent clients. The memory figure is read after all of them.
    #[arg(long, default_value_t = 10_000)]
    logins: u64,
    /// Logins in the warm-up (part of `--logins`, not measured).
    #[arg(long, default_value_t = 300)]
    warmup: u64,
    /// Concurrent clients in the concurrent login phase.
    #[arg(long, default_value_t = 8)]
    clients: u64,
    /// Seconds of each of the discovery and JWKS phases.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Concurrent connections in the discovery and JWKS phases.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Measured starts with the stored key (the last one is kept for the load phases).
    #[arg(long, default_value_t = 5)]
    starts: usize,
    /// Create the broker's temporary data directory under this directory (default: the system
    /// temporary directory). `/dev/shm` takes the disk (SQLite's checkpoint fsyncs) out of the
    /// figures.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// The client for the discovery and JWKS phases.
    #[arg(long, value_enum, default_value = "both")]
    static_client: StaticClient,
    /// Also write the markdown report to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run the broker on this PostgreSQL database (`--database`), in a fresh schema of its own,
    /// instead of SQLite in the data directory.
    #[arg(long)]
    database: Option<String>,
    /// Run this many broker replicas on the `--database` and send the logins' requests to them
    /// in turn (round robin); CPU per login is theirs together.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// Keep the dashboard open during the logins, as a developer would: its live stream of the
    /// logins (`/_sim/events`) and the page itself loaded every second.
    #[arg(long)]
    dashboard: bool,
    /// Log in at this profile's issuer, in its dialect (docs/profiles.md); discovery and JWKS
    /// are those of the same issuer.
    #[arg(long, value_enum, default_value = "standard")]
    profile: login::Profile,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let (report, failed) = run(&args).await?;
    println!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("report written to {}", out.display());
    }
    if failed > 0 {
        bail!("{failed} login(s) failed");
    }
    Ok(())
}
