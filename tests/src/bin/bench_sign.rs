//! Signing speed of the broker's key manager, per algorithm, on one core: the floor under the
//! broker's CPU cost per login (one ID token signature each).
//!
//! `cargo run --release -p tests --bin bench_sign [SECONDS]`
//!
//! Besides the wall time per signature it gives the CPU time per signature (utime + stime of
//! this process), which other processes on the machine do not inflate: compare the broker's CPU
//! per login with that column.
#![allow(clippy::disallowed_methods)] // a benchmark measures wall time

use std::sync::Arc;
use std::time::{Duration, Instant};

use keys::{Alg, KeyManager, MemoryKeyStore};

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3);
    let keys = KeyManager::open(Arc::new(MemoryKeyStore::default()), 0)?;
    let payload = br#"{"iss":"http://localhost:8080","sub":"7b1d3c0e-5f1a-4b8e-9a57-3f2d1c4e6a01","aud":"demo-mailbox","exp":1,"iat":0}"#;
    let ticks_per_second = ticks_per_second();
    println!("| alg | signatures/s (1 core) | ms per signature | CPU ms per signature |");
    println!("|---|---|---|---|");
    for alg in Alg::ALL {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let cpu_start = cpu_ticks()?;
        let mut n = 0u64;
        while Instant::now() < deadline {
            keys.sign_jwt(alg, "JWT", payload)?;
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu = (cpu_ticks()? - cpu_start) as f64 / ticks_per_second;
        println!(
            "| {alg} | {:.0} | {:.3} | {:.3} |",
            n as f64 / secs,
            secs * 1000.0 / n as f64,
            cpu * 1000.0 / n as f64
        );
    }
    Ok(())
}

/// utime + stime of this process in clock ticks (fields 14 and 15 of /proc/self/stat).
fn cpu_ticks() -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let (_, after) = stat
        .rsplit_once(')')
        .ok_or_else(|| anyhow::anyhow!("unexpected /proc/self/stat"))?;
    // `after` starts with field 3, so field N is at index N - 3.
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| -> anyhow::Result<u64> {
        Ok(fields
            .get(n - 3)
            .ok_or_else(|| anyhow::anyhow!("field {n} of /proc/self/stat"))?
            .parse()?)
    };
    Ok(field(14)? + field(15)?)
}

/// `getconf CLK_TCK` (100 on Linux unless told otherwise).
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
