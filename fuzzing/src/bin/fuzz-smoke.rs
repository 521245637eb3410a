//! `fuzz-smoke`: a bounded fuzzing run for CI on stable Rust. Each target's seeds, then random
//! mutations of them, for `--seconds` each (default 3); a panic is a failure, with the input
//! saved to `target/fuzz-smoke/<target>-<n>.bin` to replay (`--replay FILE --target NAME`).
//! The campaigns run with cargo-fuzz instead (docs/fuzzing.md); `--write-seeds DIR` gives them
//! the seeds as a starting corpus.

// A test harness (see the library).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fuzzing::mutate::mutate;
use fuzzing::{target, Target, TARGETS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Args {
    seconds: f64,
    only: Option<String>,
    seed: u64,
    replay: Option<PathBuf>,
    write_seeds: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 3.0,
        only: None,
        seed: std::process::id().into(),
        replay: None,
        write_seeds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--target" => args.only = Some(value()?),
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--replay" => args.replay = Some(PathBuf::from(value()?)),
            "--write-seeds" => args.write_seeds = Some(PathBuf::from(value()?)),
            other => return Err(format!(
                "unknown argument {other}; use --seconds S, --target NAME, --seed N, --replay FILE, --write-seeds DIR"
            )),
        }
    }
    Ok(args)
}

fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fuzz-smoke: {e}");
            std::process::exit(2);
        }
    };
    let chosen: Vec<&Target> = match &args.only {
        Some(name) => match target(name) {
            Some(t) => vec![t],
            None => {
                let names: Vec<_> = TARGETS.iter().map(|t| t.name).collect();
                eprintln!(
                    "fuzz-smoke: no target {name}; the targets are {}",
                    names.join(", ")
                );
                std::process::exit(2);
            }
        },
        None => TARGETS.iter().collect(),
    };
    if let Some(dir) = &args.write_seeds {
        // A starting corpus for cargo-fuzz: DIR/<target>/seed-<n>.
        for t in &chosen {
            let target_dir = dir.join(t.name);
            let written = std::fs::create_dir_all(&target_dir).and_then(|()| {
                for (n, seed) in (t.seeds)().iter().enumerate() {
                    std::fs::write(target_dir.join(format!("seed-{n}")), seed)?;
                }
                Ok(())
            });
            if let Err(e) = written {
                eprintln!("fuzz-smoke: {}: {e}", target_dir.display());
                std::process::exit(2);
            }
        }
        return;
    }
    if let Some(file) = &args.replay {
        let input = std::fs::read(file).unwrap_or_else(|e| {
            eprintln!("fuzz-smoke: {}: {e}", file.display());
            std::process::exit(2);
        });
        for t in &chosen {
            (t.run)(&input);
            println!("{}: the input runs without a failure", t.name);
        }
        return;
    }
    // Quiet the default hook: a caught panic is reported once, below.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    for t in chosen {
        let (runs, failure) = run(t, Duration::from_secs_f64(args.seconds), args.seed);
        match failure {
            None => println!("fuzz-smoke {}: {runs} inputs, 0 failures", t.name),
            Some((input, message)) => {
                failed = true;
                let dir = PathBuf::from("target/fuzz-smoke");
                let _ = std::fs::create_dir_all(&dir);
                let file = dir.join(format!("{}-{}.bin", t.name, args.seed));
                let _ = std::fs::write(&file, &input);
                println!(
                    "fuzz-smoke {}: FAILED after {runs} inputs: {message}\n  input saved to {} (replay: fuzz-smoke --target {} --replay {})",
                    t.name,
                    file.display(),
                    t.name,
                    file.display()
                );
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}

/// Runs `t` for `budget`: its seeds, then mutations. Returns the inputs run and the first
/// failure (the input and the panic's message).
fn run(t: &Target, budget: Duration, seed: u64) -> (u64, Option<(Vec<u8>, String)>) {
    let seeds = (t.seeds)();
    let mut rng = StdRng::seed_from_u64(seed);
    // A time budget for the run, as a benchmark measures: no clock of the code under test.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let mut runs = 0u64;
    let mut queue: Vec<Vec<u8>> = seeds.clone();
    let mut next = 0usize;
    loop {
        let input = if next < seeds.len() {
            seeds[next].clone()
        } else {
            let parent = &queue[rng.gen_range(0..queue.len())];
            mutate(&mut rng, parent, &seeds, t.dictionary)
        };
        next += 1;
        runs += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (t.run)(&input))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            return (runs, Some((input, message)));
        }
        // Keep a few mutants as parents, so mutations stack up.
        if runs.is_multiple_of(64) && queue.len() < 256 {
            queue.push(input);
        }
        if next >= seeds.len() && started.elapsed() >= budget {
            return (runs, None);
        }
    }
}
