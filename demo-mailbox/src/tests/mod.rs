//! Tests of the mailbox's routes through `router(app)` with `oneshot` (no mailbox socket), on a
//! manual clock. Where a broker is needed, a fake one runs on 127.0.0.1:0.

mod fake_broker;
mod login;
mod logout;
mod serve;
mod session_expiry;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{Request, Response, StatusCode};
use tower::ServiceExt;
use url::Url;

use crate::app::App;
use crate::clock::ManualClock;
use crate::config::Config;

pub use fake_broker::FakeBroker;

/// A fixed start for every test's clock.
pub fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// A mailbox on a manual clock, driven without a socket.
pub struct TestMailbox {
    pub app: App,
    pub clock: Arc<ManualClock>,
}

impl TestMailbox {
    /// A mailbox trusting `issuer`, with 60 s idle and 600 s absolute session limits.
    pub fn new(issuer: Url, clock: Arc<ManualClock>) -> Self {
        let config = Config {
            public_url: Url::parse("http://mailbox.test:8081").unwrap(),
            issuer,
            session_idle_secs: 60,
            session_max_secs: 600,
            ..Config::default()
        };
        let app = App::with_clock(config, clock.clone()).unwrap();
        Self { app, clock }
    }

    /// A mailbox whose broker is never reachable (a port nobody listens on).
    pub async fn without_broker() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let issuer = Url::parse(&format!("http://{address}")).unwrap();
        Self::new(issuer, Arc::new(ManualClock::new(start_time())))
    }

    /// A mailbox and a fake broker sharing one clock.
    pub async fn with_fake_broker() -> (Self, FakeBroker) {
        let clock = Arc::new(ManualClock::new(start_time()));
        let broker = FakeBroker::start(clock.clone()).await;
        (Self::new(broker.issuer_url(), clock), broker)
    }

    /// Stores a session as a finished login would and returns its cookie value.
    pub fn log_in_directly(&self, name: &str) -> String {
        self.app
            .sessions()
            .create(crate::session::tests::new_session(name), self.app.now())
    }

    pub async fn get(&self, path: &str, cookies: &[(&str, &str)]) -> Response<Body> {
        let request = with_cookies(Request::get(path), cookies)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    pub async fn post_form(
        &self,
        path: &str,
        cookies: &[(&str, &str)],
        form: &str,
    ) -> Response<Body> {
        let request = with_cookies(Request::post(path), cookies)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        self.send(request).await
    }

    async fn send(&self, request: Request<Body>) -> Response<Body> {
        crate::routes::router(self.app.clone())
            .oneshot(request)
            .await
            .unwrap()
    }

    /// Runs the whole login through the fake broker; returns the callback's response.
    pub async fn log_in_through(&self, broker: &FakeBroker) -> Response<Body> {
        let login = self.get("/login", &[]).await;
        assert_eq!(login.status(), StatusCode::SEE_OTHER);
        let login_cookie = cookie_value(&login, crate::cookies::LOGIN_COOKIE).unwrap();
        let callback_query = broker.approve(location(&login));
        self.get(
            &format!("/callback?{callback_query}"),
            &[(crate::cookies::LOGIN_COOKIE, &login_cookie)],
        )
        .await
    }
}

fn with_cookies(
    mut builder: axum::http::request::Builder,
    cookies: &[(&str, &str)],
) -> axum::http::request::Builder {
    if !cookies.is_empty() {
        let header = cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        builder = builder.header(COOKIE, header);
    }
    builder
}

/// The `Location` of a redirect.
pub fn location(response: &Response<Body>) -> &str {
    response
        .headers()
        .get(LOCATION)
        .expect("a Location header")
        .to_str()
        .unwrap()
}

/// Every `Set-Cookie` of a response.
pub fn set_cookies(response: &Response<Body>) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

/// The value a response sets for cookie `name` (not counting clearing it).
pub fn cookie_value(response: &Response<Body>, name: &str) -> Option<String> {
    set_cookies(response).into_iter().find_map(|cookie| {
        let value = cookie
            .strip_prefix(&format!("{name}="))?
            .split(';')
            .next()?;
        (!value.is_empty()).then(|| value.to_owned())
    })
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}
