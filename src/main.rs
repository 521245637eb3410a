//! `idsim`: the main job. Starts the simulated broker and the demo Digital Post mailbox
//! together, in one process on two ports; the mailbox still reaches the broker only over HTTP.

use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use broker::clock::SystemClock;
use broker::server::{self, Storage};
use demo_mailbox::BrokerProfile;

#[derive(Parser)]
#[command(
    name = "idsim",
    version,
    about = "Simulated Danish identity broker + demo Digital Post mailbox. No real identity is verified."
)]
struct Cli {
    /// Where the broker listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    broker_listen: SocketAddr,
    /// Where the demo mailbox listens.
    #[arg(long, default_value = "127.0.0.1:8081")]
    mailbox_listen: SocketAddr,
    /// Data directory: the broker's keys and database go in `broker/`, the mailbox's in `mailbox/`.
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Broker configuration file (TOML).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The broker dialect the demo mailbox logs in through: `standard` at the broker's base URL,
    /// or the imitation of a real broker at its issuer below it (`neb` at `/op`, `idura` at
    /// `/idura`, `signicat` at `/auth/open`). The broker serves them all either way.
    #[arg(
        long,
        env = "DEMO_MAILBOX_BROKER_PROFILE",
        default_value = "standard",
        value_parser = PossibleValuesParser::new(BrokerProfile::NAMES)
            .try_map(|name| name.parse::<BrokerProfile>()),
    )]
    broker_profile: BrokerProfile,
    /// Settle every login without a person.
    #[arg(long)]
    auto_approve: bool,
    /// Serve both over https with certificates from a local CA kept in `<data-dir>/tls`
    /// (made on first run; trust the printed CA file).
    #[arg(long)]
    tls: bool,
    /// Lock both programs' control APIs and simulator pages with this token (at least 16
    /// characters): APIs take it as a bearer token, pages ask for it once. Needed to listen
    /// beyond loopback.
    #[arg(long, env = "BROKER_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// Listen beyond loopback without a control token: only on a network that is yours alone.
    #[arg(long)]
    unsafe_open_control: bool,
    /// `text` (default) or `json`: both programs' logs as one JSON object per line on stderr
    /// (also BROKER_LOG_FORMAT and `log_format` in the broker's config file).
    #[arg(long, value_enum)]
    log_format: Option<broker::logging::LogFormat>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();

    let mut config =
        broker::Config::load(cli.config.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(format) = cli.log_format {
        config.log_format = format;
    }
    broker::logging::init(config.log_format);
    config.listen = cli.broker_listen;
    config.data_dir = cli.data_dir.join("broker");
    config.auto_approve |= cli.auto_approve;
    if cli.control_token.is_some() {
        config.control_token = cli.control_token.clone();
    }
    config.unsafe_open_control |= cli.unsafe_open_control;
    webguard::check_listen(
        cli.mailbox_listen,
        config.control_token.is_some(),
        config.unsafe_open_control,
        "--control-token (BROKER_CONTROL_TOKEN)",
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    if cli.tls {
        // One CA for both programs, beside their data directories.
        config.tls.enabled = true;
        config.tls.dir = Some(cli.data_dir.join("tls"));
    }
    let scheme = if cli.tls { "https" } else { "http" };
    let mailbox_url = format!("{scheme}://localhost:{}", cli.mailbox_listen.port());
    if config.demo_client.redirect_uris == broker::config::DemoClient::default().redirect_uris {
        config.demo_client.redirect_uris = vec![format!("{mailbox_url}/callback")];
        config.demo_client.post_logout_redirect_uris = vec![format!("{mailbox_url}/logged-out")];
    }
    // Unset: the broker tells the mailbox it started when a session ends ("" turns it off).
    if config.demo_client.backchannel_logout_uri.is_none() {
        config.demo_client.backchannel_logout_uri =
            Some(format!("{mailbox_url}{}", demo_mailbox::BACKCHANNEL_LOGOUT));
    }
    let secret = config.demo_client.client_secret.clone();
    let control_token = config.control_token.clone();
    let client_id = config.demo_client.client_id.clone();

    let running = server::start(config, Arc::new(SystemClock), Storage::DataDir).await?;
    let issuer = running.issuer().to_string();

    let mailbox_config = demo_mailbox::Config {
        public_url: url::Url::parse(&mailbox_url)?,
        issuer: url::Url::parse(&issuer)?,
        broker_profile: cli.broker_profile,
        client_id,
        client_secret: secret,
        data_dir: Some(cli.data_dir.join("mailbox")),
        broker_ca: running.tls.as_ref().map(|files| files.ca_cert.clone()),
        control_token,
        ..demo_mailbox::Config::default()
    };
    let listener = tokio::net::TcpListener::bind(cli.mailbox_listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.mailbox_listen))?;
    let mailbox_issuer = mailbox_config.profile_issuer();
    let mailbox = demo_mailbox::App::new(mailbox_config)?;
    let served = match &running.tls {
        Some(files) => {
            // The broker's certificate names localhost, 127.0.0.1 and ::1: the mailbox's too.
            let tls = Arc::new(localca::server_config(files)?);
            println!(
                "broker tls ca {}   (trust this CA file)",
                files.ca_cert.display()
            );
            tokio::spawn(demo_mailbox::serve_tls(listener, mailbox, tls))
        }
        None => tokio::spawn(demo_mailbox::serve_app(listener, mailbox)),
    };
    println!("broker        {issuer}   (control API {issuer}/_sim/v1, keep it off networks)");
    println!(
        "demo mailbox  {mailbox_url}   (log in here; through the {} profile at {})",
        cli.broker_profile,
        mailbox_issuer.as_str().trim_end_matches('/')
    );
    tokio::select! {
        result = served => result??,
        _ = tokio::signal::ctrl_c() => {}
    }
    running.stop().await;
    Ok(())
}
