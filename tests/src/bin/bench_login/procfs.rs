//! What the driver reads from /proc: CPU time (the broker's, its own, the machine's), the
//! broker's memory, and the clock tick rate.

use anyhow::{Context, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::broker::BrokerProcess;

/// Clock ticks per second for /proc/PID/stat, from `getconf CLK_TCK`.
pub(crate) struct Ticks {
    pub(crate) per_second: u64,
    pub(crate) assumed: bool,
}

pub(crate) fn clock_ticks() -> Ticks {
    let measured = tests::cpu::clock_ticks_per_second();
    match measured {
        Some(per_second) => Ticks {
            per_second,
            assumed: false,
        },
        None => Ticks {
            per_second: 100,
            assumed: true,
        },
    }
}

pub(crate) static TICKS_PER_SECOND: AtomicU64 = AtomicU64::new(100);

/// utime + stime (fields 14 and 15 of /proc/PID/stat) as a duration.
fn proc_cpu(stat_path: &str) -> Result<Duration> {
    let ticks = tests::cpu::stat_ticks(stat_path)?;
    let per_second = TICKS_PER_SECOND.load(Ordering::Relaxed).max(1);
    Ok(Duration::from_nanos(ticks * 1_000_000_000 / per_second))
}

fn self_cpu() -> Result<Duration> {
    proc_cpu("/proc/self/stat")
}

/// Busy CPU time of the whole machine (all cores), from the `cpu` line of /proc/stat: every
/// column except idle and iowait. Used to show how much CPU other processes took during a phase.
fn machine_busy() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
    let line = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .context("no cpu line in /proc/stat")?;
    let columns: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8) // user nice system idle iowait irq softirq steal (guest is inside user)
        .map(|c| c.parse::<u64>().context("a /proc/stat column"))
        .collect::<Result<_>>()?;
    let idle = columns.get(3).copied().unwrap_or(0) + columns.get(4).copied().unwrap_or(0);
    let ticks = columns.iter().sum::<u64>().saturating_sub(idle);
    let per_second = TICKS_PER_SECOND.load(Ordering::Relaxed).max(1);
    Ok(Duration::from_nanos(ticks * 1_000_000_000 / per_second))
}

/// The broker's figures from /proc.
impl BrokerProcess {
    pub(crate) fn cpu(&self) -> Result<Duration> {
        proc_cpu(&format!("/proc/{}/stat", self.pid))
    }

    pub(crate) fn memory(&self) -> Result<Memory> {
        Memory::read(self.pid)
    }
}

/// CPU counters sampled at the start and end of a phase.
pub(crate) struct CpuSample {
    broker: Duration,
    driver: Duration,
    machine: Duration,
}

impl CpuSample {
    /// The brokers' CPU is summed (replicas behind the driver's round robin).
    pub(crate) fn take(brokers: &[BrokerProcess]) -> Result<Self> {
        let mut broker = Duration::ZERO;
        for b in brokers {
            broker += b.cpu()?;
        }
        Ok(Self {
            broker,
            driver: self_cpu()?,
            machine: machine_busy()?,
        })
    }
}

/// CPU used during a phase.
#[derive(Clone, Copy, Default)]
pub(crate) struct CpuUse {
    pub(crate) broker: Duration,
    pub(crate) driver: Duration,
    /// Everything else on the machine (other processes, the kernel outside these two).
    other: Duration,
}

impl CpuUse {
    pub(crate) fn since(before: &CpuSample, brokers: &[BrokerProcess]) -> Result<Self> {
        let after = CpuSample::take(brokers)?;
        let b = after.broker.saturating_sub(before.broker);
        let d = after.driver.saturating_sub(before.driver);
        let m = after.machine.saturating_sub(before.machine);
        Ok(Self {
            broker: b,
            driver: d,
            other: m.saturating_sub(b + d),
        })
    }
    /// Other processes' CPU as a number of busy cores over `wall`.
    pub(crate) fn other_cores(&self, wall: Duration) -> f64 {
        self.other.as_secs_f64() / wall.as_secs_f64().max(1e-9)
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Memory {
    pub(crate) rss_kib: u64,
    pub(crate) hwm_kib: u64,
}

impl Memory {
    fn read(pid: u32) -> Result<Self> {
        let path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        let kib = |key: &str| -> Result<u64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("{key} in {path}"))
        };
        Ok(Self {
            rss_kib: kib("VmRSS:")?,
            hwm_kib: kib("VmHWM:")?,
        })
    }
}

pub(crate) fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
