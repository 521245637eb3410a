//! `GET /sender` and `POST /sender`: the simulated sender's page, a simulator tool.
//!
//! It needs no citizen login (an authority is not a citizen), so the session's CSRF token
//! cannot protect it. Instead it uses a double-submit token bound to the page: `GET` sets a
//! random token in the `sim_sender_csrf` cookie (HttpOnly, SameSite=Strict, Path=/sender) and
//! puts the same token in the form; `POST` is refused (403) unless the form's token equals the
//! cookie's. Another site can neither read the cookie nor make the browser send it on a
//! cross-site POST, so it cannot forge a letter through a visitor's browser.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::access::desk::Refusal;
use crate::app::App;
use crate::cookies::{append_set_cookie, read_cookie};
use crate::language::Lang;
use crate::pages::render;
use crate::pages::sim::SenderPage;
use crate::post::delivery::{deliver, Delivery};
use crate::post::{unix_time, IncomingAttachment, IncomingLetter};
use crate::problem::Problem;
use crate::random::{random_token, secrets_equal};

/// The cookie holding the sender page's CSRF token.
pub const SENDER_CSRF_COOKIE: &str = "sim_sender_csrf";

#[derive(Deserialize)]
pub struct SenderForm {
    csrf_token: Option<String>,
    recipient: String,
    sender: String,
    subject: String,
    body: String,
    accepts_replies: Option<String>,
    attach_pdf: Option<String>,
}

pub async fn form(State(app): State<App>, headers: HeaderMap) -> Response {
    let lang = Lang::from_headers(&headers);
    let (token, fresh) = match read_cookie(&headers, SENDER_CSRF_COOKIE) {
        Some(token) if token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()) => {
            (token.to_owned(), false)
        }
        _ => (random_token(), true),
    };
    let mut response = render(StatusCode::OK, &SenderPage::new(lang, token.clone(), None));
    if fresh {
        let secure = if app.cookies_secure() { "; Secure" } else { "" };
        let cookie = format!(
            "{SENDER_CSRF_COOKIE}={token}; Path=/sender; HttpOnly; SameSite=Strict; Max-Age=3600{secure}"
        );
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            append_set_cookie(response.headers_mut(), cookie);
        }
    }
    response
}

pub async fn send(
    State(app): State<App>,
    headers: HeaderMap,
    form: Result<Form<SenderForm>, FormRejection>,
) -> Response {
    let cookie = read_cookie(&headers, SENDER_CSRF_COOKIE);
    let lang = Lang::from_headers(&headers);
    let sent = || -> Result<Response, Problem> {
        // The token check comes first, before anything about the form is revealed.
        let form = form.ok().map(|Form(form)| form);
        let token_ok = match (cookie, form.as_ref().and_then(|f| f.csrf_token.as_deref())) {
            (Some(cookie), Some(sent)) => secrets_equal(cookie, sent),
            _ => false,
        };
        if !token_ok {
            return Err(Problem::CsrfRejected);
        }
        let form = form.ok_or(Problem::BadForm)?;
        let attachment = form.attach_pdf.is_some().then(|| IncomingAttachment {
            file_name: "Brev.pdf".to_owned(),
            content_base64: None,
        });
        let (recipient, content) = IncomingLetter {
            recipient: form.recipient,
            sender: form.sender,
            subject: form.subject,
            body: form.body,
            accepts_replies: form.accepts_replies.is_some(),
            attachment,
        }
        .check()
        .map_err(|error| Problem::Refused(Refusal::BadLetter(error)))?;
        let delivery = deliver(app.store(), &recipient, content, unix_time(app.now()))?;
        let address = recipient.address();
        let result = match (delivery, lang) {
            (Delivery::Digital(_), Lang::Da) => {
                format!("Brevet er leveret digitalt til {address}.")
            }
            (Delivery::Digital(_), Lang::En) => {
                format!("The letter was delivered digitally to {address}.")
            }
            (Delivery::Paper, Lang::Da) => {
                format!("{address} er fritaget for Digital Post: brevet sendes på papir.")
            }
            (Delivery::Paper, Lang::En) => {
                format!("{address} is exempt from Digital Post: the letter goes on paper.")
            }
        };
        let token = cookie.unwrap_or_default().to_owned();
        Ok(render(
            StatusCode::OK,
            &SenderPage::new(lang, token, Some(result)),
        ))
    };
    sent().unwrap_or_else(|problem| problem.page(lang))
}
