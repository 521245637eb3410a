//! For the fuzzing crate only (feature `fuzzing`): a person logged in as a finished login
//! would leave them, so the mailbox's forms can be fuzzed behind their session and CSRF checks.

use std::str::FromStr;

use openidconnect::core::CoreIdToken;

use crate::access::Cpr;
use crate::app::App;
use crate::post::opening::open_own_mailbox;
use crate::post::{unix_time, Owner};
use crate::session::{BrokerSession, Current, NewSession, Person, Via};

/// A logged-in person: the session cookie's value and the session's CSRF token.
pub struct LoggedIn {
    pub session: String,
    pub csrf: String,
}

/// Logs in the person with CPR number `cpr`, opening their mailbox; `None` for a bad CPR
/// number or a store that fails.
pub fn log_in(app: &App, cpr: &str, name: &str) -> Option<LoggedIn> {
    let cpr = Cpr::parse(cpr).ok()?;
    let now = unix_time(app.now());
    let own_mailbox = open_own_mailbox(
        app.store(),
        Owner::PersonByCpr(cpr.as_str().to_owned()),
        now,
    )
    .ok()?
    .id;
    // A syntactically valid, unsigned ID token: the session store never verifies it.
    let id_token = CoreIdToken::from_str(
        "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjgwODAiLCJhdWQiOiJkZW1vLW1haWxib3giLCJzdWIiOiJzIiwiZXhwIjoyLCJpYXQiOjF9.",
    )
    .ok()?;
    let session = app.sessions().create(
        NewSession {
            broker: BrokerSession {
                sub: format!("sub-{name}"),
                sid: None,
            },
            person: Person {
                name: name.to_owned(),
                cpr: Some(cpr),
                business: None,
                own_mailbox: own_mailbox.clone(),
            },
            current: Current {
                mailbox: own_mailbox,
                via: Via::Own,
            },
            id_token,
        },
        app.now(),
    );
    let csrf = app.sessions().touch(&session, app.now())?.csrf_token;
    Some(LoggedIn { session, csrf })
}
