//! `rp-check`: does a relying party refuse what it must? Runs the RP test kit's faults against
//! it through a login hook and prints one line per fault, ending with `N passed, N failed, N
//! not reached by the login`.
//! Exits 1 when a fault was mishandled, 2 when the check could not run.
//!
//! ```text
//! cargo run -p tests --bin rp-check -- --issuer http://localhost:8080 --client-id my-rp \
//!     --login-hook './log-in-to-my-rp.sh'
//! ```

use std::process::ExitCode;

use clap::Parser;
use tests::rp_check::{run, table, Options};

#[derive(Parser, Debug)]
#[command(
    name = "rp-check",
    about = "Run the RP test kit's faults against a relying party"
)]
struct Args {
    /// The simulator's base URL; its control API is {issuer}/_sim/v1.
    #[arg(long)]
    issuer: String,
    /// The relying party's client ID at the simulator.
    #[arg(long)]
    client_id: String,
    /// A shell command that drives the RP's login and exits 0 when the RP says the person is
    /// logged in (anything else: not logged in).
    #[arg(long)]
    login_hook: String,
    /// Only this fault (repeatable); default every fault a login exercises.
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// The simulator's control token, when it runs with one.
    #[arg(long, env = "BROKER_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// Trust this CA (PEM) in addition to the system's, e.g. the broker's --tls CA.
    #[arg(long)]
    ca_file: Option<std::path::PathBuf>,
    /// How long token-endpoint-slow holds the token endpoint's answer, in seconds (longer
    /// than the RP's own timeout).
    #[arg(long, default_value_t = 30)]
    slow_seconds: u32,
    /// Stop a login hook after this many seconds (the fault then fails: the RP hung).
    #[arg(long, default_value_t = 120)]
    hook_timeout: u64,
    /// A shell command that logs in to the RP and logs out at the broker (so the broker sends
    /// the RP a back-channel logout token); runs the logout-token faults, judged by the RP's
    /// answer to the token (400: refused).
    #[arg(long)]
    logout_hook: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let ca_pem = match &args.ca_file {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem),
            Err(e) => {
                eprintln!("rp-check: --ca-file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let options = Options {
        ca_pem,
        control_token: args.control_token,
        faults: args.faults,
        slow_seconds: args.slow_seconds,
        hook_timeout: std::time::Duration::from_secs(args.hook_timeout),
        logout_hook: args.logout_hook,
        ..Options::new(
            format!("{}/_sim/v1", args.issuer.trim_end_matches('/')),
            args.client_id,
            args.login_hook,
        )
    };
    match run(&options).await {
        Ok(lines) => {
            print!("{}", table(&lines));
            if !lines.iter().any(|l| l.failed()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("rp-check: {e}");
            ExitCode::from(2)
        }
    }
}
