//! `mailbox-login`: a login hook for `rp-check` and scripts: logs in to the demo mailbox with a
//! fresh browser (cookie jar) through the broker, which must approve on its own (auto-approve),
//! and exits 0 when the mailbox shows the person's inbox, 1 when it does not. With `--logout`
//! it then logs out with the inbox's button (the mailbox sends the browser to the broker's end
//! session endpoint, and the broker tells the session's clients on the back channel), and exits
//! 0 when the logout ended back at the mailbox.
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
    /// Log out again after logging in (a logout hook for `rp-check --logout-hook`).
    #[arg(long)]
    logout: bool,
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
    if !logged_in {
        eprintln!("mailbox-login: not logged in ({status} at {landed})");
        return ExitCode::from(1);
    }
    if !args.logout {
        return ExitCode::SUCCESS;
    }
    let Some(token) = csrf_token(&page) else {
        eprintln!("mailbox-login: no CSRF token in the logout form");
        return ExitCode::from(1);
    };
    let logout = format!("{}logout", start);
    match browser
        .post(&logout)
        // As a browser sends it: the mailbox takes forms only from its own pages.
        .header("origin", start.trim_end_matches('/'))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
    {
        Ok(r) if r.status().is_success() && r.url().as_str().starts_with(&start) => {
            ExitCode::SUCCESS
        }
        Ok(r) => {
            eprintln!("mailbox-login: logout ended {} at {}", r.status(), r.url());
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("mailbox-login: logout: {e}");
            ExitCode::from(1)
        }
    }
}

/// The value of the logout form's `csrf_token` field.
fn csrf_token(page: &str) -> Option<String> {
    let form = &page[page.find("action=\"/logout\"")?..];
    let field = "name=\"csrf_token\" value=\"";
    let value = &form[form.find(field)? + field.len()..];
    Some(value[..value.find('"')?].to_owned())
}
