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
    let ticks_per_second = tests::cpu::clock_ticks_per_second().unwrap_or(100) as f64;
    println!("| alg | signatures/s (1 core) | ms per signature | CPU ms per signature |");
    println!("|---|---|---|---|");
    for alg in Alg::ALL {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let cpu_start = tests::cpu::stat_ticks("/proc/self/stat")?;
        let mut n = 0u64;
        while Instant::now() < deadline {
            keys.sign_jwt(alg, "JWT", payload)?;
            n += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let cpu =
            (tests::cpu::stat_ticks("/proc/self/stat")? - cpu_start) as f64 / ticks_per_second;
        println!(
            "| {alg} | {:.0} | {:.3} | {:.3} |",
            n as f64 / secs,
            secs * 1000.0 / n as f64,
            cpu * 1000.0 / n as f64
        );
    }
    Ok(())
}
