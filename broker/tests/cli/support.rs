//! Starting the `broker` binary for a test.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// Kills the broker when the test ends, passed or failed.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `broker` on port 0 with its data in `dir`, `args` and `env`, its stderr into
/// `stderr`; answers the running broker and its issuer once it listens.
pub fn start_broker(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (Running, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_broker"));
    command
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(stderr);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = Running(command.spawn().unwrap());
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let listening = lines.next().unwrap().unwrap();
    let issuer = listening
        .split("(issuer ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("{listening}"))
        .to_string();
    (child, issuer)
}

/// Runs the `broker` binary with `args` to its end (a command such as `token` or
/// `identities`), with no control token or backtrace from the environment.
pub fn run_broker(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_broker"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env_remove("BROKER_CONTROL_TOKEN")
        .output()
        .unwrap()
}

/// What a command that succeeded printed.
pub fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "the command failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// What a command that failed said on stderr (it printed nothing on stdout).
pub fn failed(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "the command succeeded: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(output.stdout.is_empty());
    String::from_utf8_lossy(&output.stderr).into_owned()
}
