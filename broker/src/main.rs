//! `broker`: run the simulated identity broker, or manage its keys and identities.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use broker::clock::{Clock, ManualClock, SystemClock};
use broker::config::Config;
use broker::identities_cli::{self, IdentitiesCommand};
use broker::logging::{self, LogFormat};
use broker::server::{self, Storage};
use broker::token_cli::{self, TokenArgs};

#[derive(Parser)]
#[command(
    name = "broker",
    version,
    about = "Simulated Danish identity broker (OpenID Provider). No real identity is verified."
)]
struct Cli {
    #[command(flatten)]
    opts: Opts,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Args, Clone)]
struct Opts {
    /// Address to listen on (default 127.0.0.1:8080). The control API listens here too.
    #[arg(long, global = true)]
    listen: Option<SocketAddr>,
    /// Public issuer URL (default http://localhost:PORT), independent of the listen address.
    #[arg(long, global = true)]
    issuer: Option<String>,
    /// Data directory for keys and the database (default ./data/broker).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// A PostgreSQL database URL (postgres://user:password@host:port/database) instead of the
    /// SQLite file in the data directory; replicas share it (also BROKER_DATABASE).
    #[arg(long, global = true)]
    database: Option<String>,
    /// Settle every login without a person (CI mode).
    #[arg(long, global = true)]
    auto_approve: bool,
    /// Run on a clock that stands still until the control API moves it
    /// (`POST /_sim/v1/clock/advance`), so tests of expiry never wait. For tests only.
    #[arg(long, global = true)]
    manual_clock: bool,
    /// Serve https with a certificate from a local CA made in `<data-dir>/tls` (printed at
    /// start: trust that CA file in your clients).
    #[arg(long, global = true)]
    tls: bool,
    /// A host name to serve beside localhost, 127.0.0.1, [::1] and the issuer's host
    /// (repeatable; any other Host header gets 421, against DNS rebinding).
    #[arg(long = "allowed-host", global = true)]
    allowed_hosts: Vec<String>,
    /// Let clients point the broker at private addresses too (10/8, 172.16/12, 192.168/16,
    /// fc00::/7) for their jwks_uri, request_uri, sector document and back-channel logout.
    #[arg(long, global = true)]
    allow_private_fetch: bool,
    /// Lock the control API and the simulator's pages with this token (at least 16
    /// characters; also BROKER_CONTROL_TOKEN): the API takes it as a bearer token, the pages
    /// ask for it once. Needed to listen beyond loopback.
    #[arg(long, global = true)]
    control_token: Option<String>,
    /// Listen beyond loopback without a control token: only on a network that is yours alone.
    #[arg(long, global = true)]
    unsafe_open_control: bool,
    /// `text` (default) or `json`: the logs on stderr as one JSON object per line (also
    /// BROKER_LOG_FORMAT and `log_format` in the config file).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the broker (the default).
    Serve,
    /// Signing keys in the data directory.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Test identities in the data directory.
    Identities {
        #[command(subcommand)]
        command: IdentitiesCommand,
    },
    /// Log in as a test person against a running broker (over HTTP, like any client) and print
    /// the tokens: `broker token --user anna --format claims`. The broker is at --issuer
    /// (default http://localhost:8080).
    Token(Box<TokenArgs>),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// List keys, newest first.
    List,
    /// Make a new signing key active; the old one is retired and stays published. A running
    /// broker is asked through its control API, so the new key signs at once.
    Rotate {
        #[arg(long, default_value = "rsa")]
        kind: String,
    },
}

fn config(opts: &Opts) -> anyhow::Result<Config> {
    let mut config = Config::load(opts.config.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(listen) = opts.listen {
        config.listen = listen;
    }
    if let Some(issuer) = &opts.issuer {
        config.issuer = Some(issuer.clone());
    }
    if let Some(dir) = &opts.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &opts.database {
        config.database = Some(url.clone());
    }
    if opts.auto_approve {
        config.auto_approve = true;
    }
    if opts.tls {
        config.tls.enabled = true;
    }
    if opts.allow_private_fetch {
        config.outbound.allow_private = true;
    }
    if let Some(token) = &opts.control_token {
        config.control_token = Some(token.clone());
    }
    if opts.unsafe_open_control {
        config.unsafe_open_control = true;
    }
    if let Some(format) = opts.log_format {
        config.log_format = format;
    }
    config
        .allowed_hosts
        .extend(opts.allowed_hosts.iter().cloned());
    Ok(config)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = config(&cli.opts)?;
    logging::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, cli.opts.manual_clock).await,
        Command::Keys { command } => keys_command(config, command).await,
        Command::Token(args) => {
            println!("{}", token_cli::run(&control_target(&config), &args).await?);
            Ok(())
        }
        Command::Identities { command } => {
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let issuer = config.issuer_for(config.listen);
            let target = control_target(&config);
            match server::build(config, &issuer, clock, Storage::DataDir) {
                Ok(broker) => println!("{}", identities_cli::run(&broker.store, command)?),
                // A broker runs on this data directory and holds its database: ask it.
                Err(e) if held_by_a_running_broker(&e) => {
                    let done = identities_cli::run_on_broker(&target, command)
                        .await
                        .map_err(|asked| {
                            anyhow::anyhow!(
                                "{asked}\n({e:#}, so this asked that broker's control API at \
                                 {}; if it listens elsewhere, give its --listen or --issuer)",
                                target.issuer
                            )
                        })?;
                    println!("{done}");
                }
                Err(e) => return Err(e),
            }
            Ok(())
        }
    }
}

/// The broker this configuration describes, as the command line reaches its control API.
fn control_target(config: &Config) -> token_cli::Target {
    token_cli::Target {
        issuer: config.issuer_for(config.listen),
        control_token: config.control_token.clone(),
        ca_file: Some(config.tls_dir().join(localca::CA_FILE)),
    }
}

/// Whether opening the data directory failed because a broker holds its SQLite file.
fn held_by_a_running_broker(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<broker::store::StoreError>(),
            Some(broker::store::StoreError::InUse(_))
        )
    })
}

async fn serve(config: Config, manual_clock: bool) -> anyhow::Result<()> {
    let auto = config.auto_approve;
    let clock: Arc<dyn Clock> = if manual_clock {
        Arc::new(ManualClock::starting_now())
    } else {
        Arc::new(SystemClock)
    };
    let running = server::start(config, clock, Storage::DataDir).await?;
    let scheme = match &running.tls {
        Some(files) => {
            // The CA file to trust, before the line tools wait for.
            println!("broker tls ca {}", files.ca_cert.display());
            "https"
        }
        None => "http",
    };
    tracing::info!(
        listen = %running.local_addr,
        issuer = running.issuer(),
        auto_approve = auto,
        "broker listening"
    );
    // One line on stdout that tools (and the benchmark) can wait for.
    println!(
        "broker listening on {scheme}://{} (issuer {}){}",
        running.local_addr,
        running.issuer(),
        if auto { " [auto-approve]" } else { "" }
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    running.stop().await;
    Ok(())
}

async fn keys_command(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    let store = Arc::new(keys::FileKeyStore::new(server::key_dir(&config))?);
    match command {
        KeysCommand::List => {
            let manager = keys::KeyManager::open(store, SystemClock.now())?;
            for k in manager.list()? {
                println!(
                    "{:<44} {:<4} {:<8} {}",
                    k.kid,
                    k.kind.as_str(),
                    k.state.as_str(),
                    k.created_at
                );
            }
        }
        KeysCommand::Rotate { kind } => {
            let kind = match kind.as_str() {
                "rsa" => keys::KeyKind::Rsa,
                "ec" => keys::KeyKind::Ec,
                other => anyhow::bail!("unknown key kind {other}; use rsa or ec"),
            };
            // A running broker holds its keys in memory: ask it, so the new key signs at once.
            let scheme = if config.tls.enabled { "https" } else { "http" };
            let url = format!(
                "{scheme}://{}{}/keys/rotate",
                config.listen,
                broker::paths::CONTROL
            );
            let mut http = reqwest::Client::builder();
            if config.tls.enabled {
                let ca = config.tls_dir().join(localca::CA_FILE);
                if let Ok(pem) = std::fs::read(&ca) {
                    for root in reqwest::Certificate::from_pem_bundle(&pem)? {
                        http = http.add_root_certificate(root);
                    }
                }
            }
            let mut request = http
                .build()?
                .post(&url)
                .json(&serde_json::json!({ "kind": kind.as_str() }));
            if let Some(token) = &config.control_token {
                request = request.bearer_auth(token);
            }
            let running = request.send().await;
            match running {
                Ok(r) if r.status().is_success() => {
                    println!("rotated on the running broker: {}", r.text().await?);
                }
                Ok(r) => anyhow::bail!("the running broker refused: {}", r.status()),
                Err(_) => {
                    let manager = keys::KeyManager::open(store, SystemClock.now())?;
                    let info = manager.rotate(kind, SystemClock.now())?;
                    println!(
                        "no broker running at {}; rotated in {}: {} is now active",
                        config.listen,
                        server::key_dir(&config).display(),
                        info.kid
                    );
                }
            }
        }
    }
    Ok(())
}
