//! `mailbox-login`: a login hook for `rp-check` and scripts: logs in to the demo mailbox with a
//! fresh browser (cookie jar) through the broker, which must approve on its own (auto-approve),
//! and exits 0 when the mailbox shows the person's inbox, 1 when it does not.
//!
//! ```text
//! cargo run -p tests --bin mailbox-login -- --mailbox http://localhost:8081
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "mailbox-login",
    about = "Log in to the demo mailbox; exit 0 when logged in"
)]
struct Args {
    /// The mailbox's base URL.
    #[arg(long)]
    mailbox: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let browser = match reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(b) => b,
        Err(e) => {
            eprintln!("mailbox-login: {e}");
            return ExitCode::from(2);
        }
    };
    let start = format!("{}/", args.mailbox.trim_end_matches('/'));
    let response = match browser.get(&start).send().await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailbox-login: {e}");
            return ExitCode::from(1);
        }
    };
    let landed = response.url().clone();
    let status = response.status();
    let page = response.text().await.unwrap_or_default();
    // The inbox: the mailbox's front page with a logout form.
    let logged_in = status.is_success()
        && landed.path() == "/"
        && landed.as_str().starts_with(&start)
        && page.contains("action=\"/logout\"");
    if logged_in {
        ExitCode::SUCCESS
    } else {
        eprintln!("mailbox-login: not logged in ({status} at {landed})");
        ExitCode::from(1)
    }
}
