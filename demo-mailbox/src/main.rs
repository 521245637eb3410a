//! `demo-mailbox`: runs the demo Digital Post mailbox against a broker.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Parser;
use demo_mailbox::BrokerProfile;
use url::Url;

/// Demo Digital Post mailbox (a relying party of the simulated broker; no real identity is
/// verified).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// URL browsers use to reach the mailbox (default: http://localhost:<listen port>).
    #[arg(long)]
    public_url: Option<Url>,
    /// The broker's base URL: the issuer of its `standard` profile. Another profile's issuer is
    /// below it (`/op`, `/idura`, `/auth/open`).
    #[arg(long, default_value = "http://localhost:8080")]
    issuer: Url,
    /// Where to read the broker's metadata instead of `{issuer}/.well-known/openid-configuration`
    /// (its issuer must still be the configured one): the RP test kit's own documents of the
    /// mailbox's client, `{issuer}/rp-test-kit/{client-id}/.well-known/openid-configuration`.
    #[arg(long, env = "MAILBOX_DISCOVERY_URL")]
    discovery_url: Option<Url>,
    /// The broker's dialect to log in through: its issuer, scopes, level parameters and claims.
    #[arg(
        long,
        env = "DEMO_MAILBOX_BROKER_PROFILE",
        default_value = "standard",
        value_parser = PossibleValuesParser::new(BrokerProfile::NAMES)
            .try_map(|name| name.parse::<BrokerProfile>()),
    )]
    broker_profile: BrokerProfile,
    /// Client ID at the broker.
    #[arg(long, default_value = "demo-mailbox")]
    client_id: String,
    /// Client secret at the broker.
    #[arg(
        long,
        env = "MAILBOX_CLIENT_SECRET",
        default_value = "demo-mailbox-secret",
        hide_env_values = true
    )]
    client_secret: String,
    /// Directory for the mailbox's database (created on first start).
    #[arg(long, default_value = "data/mailbox")]
    data_dir: PathBuf,
    /// Serve https with a certificate from a local CA kept in `--tls-dir` (made on first run).
    #[arg(long)]
    tls: bool,
    /// Where `--tls` keeps the CA and the certificate (default: `<data-dir>/tls`). Give the
    /// broker's (`data/broker/tls`) to share its CA.
    #[arg(long)]
    tls_dir: Option<PathBuf>,
    /// A CA certificate (PEM) to trust for the broker: the broker's `ca.pem` when it runs
    /// with `--tls`.
    #[arg(long)]
    broker_ca: Option<PathBuf>,
    /// A host name to serve beside localhost, 127.0.0.1, [::1] and the public URL's host
    /// (repeatable; any other Host header gets 421, against DNS rebinding).
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,
    /// Lock the simulator's API and pages with this token (at least 16 characters): the API
    /// takes it as a bearer token, the pages ask for it once. Needed to listen beyond loopback.
    #[arg(long, env = "MAILBOX_CONTROL_TOKEN", hide_env_values = true)]
    control_token: Option<String>,
    /// The broker's control token, when its control API is locked with one (the names of the
    /// people given access are looked up there). Unset, `--control-token` is sent.
    #[arg(long, env = "BROKER_CONTROL_TOKEN", hide_env_values = true)]
    broker_control_token: Option<String>,
    /// Listen beyond loopback without a control token: only on a network that is yours alone.
    #[arg(long)]
    unsafe_open_control: bool,
    /// `text` (default) or `json`: the logs on stderr as one JSON object per line.
    #[arg(long, env = "MAILBOX_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
}

/// How the logs are written (as the broker's `--log-format`).
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Installs the global subscriber on stderr, filtered by `RUST_LOG` (`info` by default).
fn init_logging(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        );
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    init_logging(args.log_format);
    if let Some(token) = &args.control_token {
        webguard::valid_token(token).map_err(|e| anyhow::anyhow!("{e} (--control-token)"))?;
    }
    webguard::check_listen(
        args.listen,
        args.control_token.is_some(),
        args.unsafe_open_control,
        "--control-token (MAILBOX_CONTROL_TOKEN)",
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let scheme = if args.tls { "https" } else { "http" };
    let public_url = match args.public_url {
        Some(url) => url,
        None => format!("{scheme}://localhost:{}", listener.local_addr()?.port()).parse()?,
    };
    let tls_dir = args.tls_dir.unwrap_or_else(|| args.data_dir.join("tls"));
    let config = demo_mailbox::Config {
        public_url: public_url.clone(),
        issuer: args.issuer,
        discovery_url: args.discovery_url,
        broker_profile: args.broker_profile,
        client_id: args.client_id,
        client_secret: args.client_secret,
        data_dir: Some(args.data_dir),
        broker_ca: args.broker_ca,
        allowed_hosts: args.allowed_hosts,
        control_token: args.control_token,
        broker_control_token: args.broker_control_token,
        ..demo_mailbox::Config::default()
    };
    if !args.tls {
        return demo_mailbox::serve(listener, config).await;
    }
    let clock = demo_mailbox::SystemClock;
    let now = demo_mailbox::Clock::now(&clock)
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let names = localca::names_for_host(public_url.host_str())?;
    let files = localca::provision(&tls_dir, &names, now)?;
    println!("demo mailbox tls ca {}", files.ca_cert.display());
    let app = demo_mailbox::App::new(config)?;
    demo_mailbox::serve_tls(
        listener,
        app,
        std::sync::Arc::new(localca::server_config(&files)?),
    )
    .await
}
