//! CPU time from /proc, for the benchmarks (`bench_login`, `bench_sign`).

use anyhow::{Context, Result};

/// Clock ticks per second of /proc/PID/stat's times, from `getconf CLK_TCK`; `None` when it
/// cannot be asked.
pub fn clock_ticks_per_second() -> Option<u64> {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&t| t > 0)
}

/// utime + stime (fields 14 and 15 of `stat_path`, a /proc/PID/stat) in clock ticks.
pub fn stat_ticks(stat_path: &str) -> Result<u64> {
    let stat =
        std::fs::read_to_string(stat_path).with_context(|| format!("reading {stat_path}"))?;
    // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("unexpected {stat_path}"))?;
    // `after` starts with field 3 (state), so field N is at index N - 3.
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| -> Result<u64> {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .with_context(|| format!("field {n} of {stat_path}"))
    };
    Ok(field(14)? + field(15)?)
}
