//! `demo-mailbox`: runs the demo Digital Post mailbox against a broker.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
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
    /// The broker's issuer URL.
    #[arg(long, default_value = "http://localhost:8080")]
    issuer: Url,
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let public_url = match args.public_url {
        Some(url) => url,
        None => format!("http://localhost:{}", listener.local_addr()?.port()).parse()?,
    };
    let config = demo_mailbox::Config {
        public_url,
        issuer: args.issuer,
        client_id: args.client_id,
        client_secret: args.client_secret,
        data_dir: Some(args.data_dir),
        ..demo_mailbox::Config::default()
    };
    demo_mailbox::serve(listener, config).await
}
