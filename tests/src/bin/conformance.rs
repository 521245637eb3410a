//! `conformance`: runs the OpenID Foundation's OP test plans against an issuer and prints a
//! table (module, result, failed condition, spec reference), ending with `N passed, N failed`.
//! Exits 1 when a module failed, 2 on bad arguments.
//!
//! ```text
//! cargo run -p tests --bin conformance -- --issuer http://localhost:8080 --plan basic \
//!     --sim-control http://localhost:8080/_sim/v1
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tests::conformance::{run, Options, Plan, StaticClient};

#[derive(Parser, Debug)]
#[command(
    name = "conformance",
    about = "OpenID Connect OP conformance runner (the OpenID Foundation's OP test plans)"
)]
struct Args {
    /// The issuer identifier; discovery is read from {issuer}/.well-known/openid-configuration.
    #[arg(long)]
    issuer: String,
    /// basic, config, dynamic, formpost, rp-logout, backchannel-logout, or all.
    #[arg(long, default_value = "basic")]
    plan: String,
    /// Run only this module (repeatable), e.g. --module oidcc-server.
    #[arg(long = "module")]
    modules: Vec<String>,
    /// Trust this CA (PEM) in addition to the system's, e.g. the broker's --tls CA.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// The simulator's control API (e.g. {issuer}/_sim/v1): creates the test clients, settles
    /// logins without a browser, and moves the OP's clock instead of waiting.
    #[arg(long)]
    sim_control: Option<String>,
    /// The simulator's control token, when it runs with one.
    #[arg(long, env = "BROKER_CONTROL_TOKEN", hide_env_values = true)]
    sim_control_token: Option<String>,
    /// A command run as `CMD AUTHORIZATION_URL` that logs in and prints the URL the browser
    /// ended at (the redirect URI with the response) as its last line.
    #[arg(long)]
    login_hook: Option<String>,
    /// A static client (instead of --sim-control or dynamic registration).
    #[arg(long, requires = "redirect_uri")]
    client_id: Option<String>,
    #[arg(long)]
    client_secret: Option<String>,
    #[arg(long)]
    redirect_uri: Option<String>,
    /// The static client's registered post_logout_redirect_uri (the logout plans).
    #[arg(long)]
    post_logout_redirect_uri: Option<String>,
    /// The login_hint oidcc-login-hint sends (a person the OP knows).
    #[arg(long)]
    login_hint: Option<String>,
    /// The person --sim-control approves parked logins as (a user ID of the simulator).
    #[arg(long, default_value = "anna")]
    sim_user: String,
    /// Register every client with RFC 7591 (the suite's dynamic_client variant of the Basic,
    /// Form Post and logout plans) instead of --sim-control or the static client.
    #[arg(long)]
    register_clients: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let Some(plans) = Plan::parse(&args.plan) else {
        eprintln!("error: unknown plan {:?}; use basic, config, dynamic, formpost, rp-logout, backchannel-logout or all", args.plan);
        return ExitCode::from(2);
    };
    let ca_pem = match &args.ca_file {
        Some(path) => match std::fs::read(path) {
            Ok(pem) => Some(pem),
            Err(e) => {
                eprintln!("error: --ca-file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let static_client = match (args.client_id, args.redirect_uri) {
        (Some(client_id), Some(redirect_uri)) => Some(StaticClient {
            client_id,
            client_secret: args.client_secret,
            redirect_uri,
            post_logout_redirect_uri: args.post_logout_redirect_uri,
        }),
        _ => None,
    };
    let options = Options {
        issuer: args.issuer,
        plans: plans.clone(),
        modules: args.modules,
        ca_pem,
        sim_control: args.sim_control,
        sim_control_token: args.sim_control_token,
        login_hook: args.login_hook,
        static_client,
        login_hint: args.login_hint,
        sim_user: args.sim_user,
        register_clients: args.register_clients,
    };
    println!(
        "plans: {}",
        plans
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let report = run(options).await;
    println!("{}", report.render());
    if report.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
