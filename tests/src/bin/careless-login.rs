//! `careless-login`: a deliberately careless relying party for testing `rp-check` itself: it
//! runs the code flow against an auto-approving broker and takes whatever comes back, checking
//! nothing (no signature, no `iss`, no `nonce`, no `state`). Exits 0 when it got tokens.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(name = "careless-login", about = "A relying party that checks nothing")]
struct Args {
    #[arg(long)]
    issuer: String,
    #[arg(long)]
    client_id: String,
    #[arg(long)]
    client_secret: String,
    #[arg(long)]
    redirect_uri: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match log_in(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("careless-login: {e}");
            ExitCode::from(1)
        }
    }
}

async fn log_in(args: &Args) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut authorize =
        url::Url::parse(&format!("{}/authorize", args.issuer)).map_err(|e| e.to_string())?;
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &args.client_id)
        .append_pair("redirect_uri", &args.redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", "s")
        .append_pair("nonce", "n");
    let response = http
        .get(authorize)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or("no redirect")?;
    let location = url::Url::parse(location).map_err(|e| e.to_string())?;
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("no code")?;
    let tokens = http
        .post(format!("{}/token", args.issuer))
        .basic_auth(&args.client_id, Some(&args.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", args.redirect_uri.as_str()),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !tokens.status().is_success() {
        return Err(format!("the token endpoint answered {}", tokens.status()));
    }
    Ok(())
}
