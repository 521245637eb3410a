//! Starting the `broker` binary for a test.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

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
