//! Tests of the mailbox's routes through `router(app)` with `oneshot` (no mailbox socket), on a
//! manual clock. Where a broker is needed, a fake one runs on 127.0.0.1:0.

mod access;
mod attachments;
mod authorization;
mod backchannel_logout;
mod compose;
mod deep_link;
mod drafts;
mod exemption;
mod fake_broker;
mod folders;
mod form_errors;
mod grant_names;
mod guard;
mod language;
mod letters;
mod locked_grants;
mod login;
mod logout;
mod mailboxes;
mod notices;
mod organisation_access;
mod restart;
mod restore;
mod revoking;
mod search;
mod serve;
mod session_expiry;
mod simulator;
mod uploads;
mod wording;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{Request, Response, StatusCode};
use tower::ServiceExt;
use url::Url;

use crate::access::Cpr;
use crate::app::App;
use crate::clock::ManualClock;
use crate::config::Config;
use crate::post::opening::open_own_mailbox;
use crate::post::{unix_time, Folder, Letter, MailboxId, Owner, StandardFolder};
use crate::session::{BrokerSession, BusinessLogin, Current, NewSession, Person, Via};

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
    /// A mailbox trusting `issuer`, with 60 s idle and 600 s absolute session limits, keeping
    /// its data in memory.
    pub fn new(issuer: Url, clock: Arc<ManualClock>) -> Self {
        Self::with_data_dir(issuer, clock, None)
    }

    /// As [`TestMailbox::new`], keeping its data in `data_dir` if given.
    pub fn with_data_dir(
        issuer: Url,
        clock: Arc<ManualClock>,
        data_dir: Option<std::path::PathBuf>,
    ) -> Self {
        Self::with_config(issuer, clock, |config| config.data_dir = data_dir)
    }

    /// As [`TestMailbox::new`], after `adjust` has changed the configuration.
    pub fn with_config(
        issuer: Url,
        clock: Arc<ManualClock>,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config {
            public_url: Url::parse("http://mailbox.test:8081").unwrap(),
            issuer,
            session_idle_secs: 60,
            session_max_secs: 600,
            ..Config::default()
        };
        adjust(&mut config);
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

    /// Stores a session as a finished login would (opening the mailbox of subject
    /// `sub-{name}`) and returns its cookie value.
    pub fn log_in_directly(&self, name: &str) -> String {
        self.citizen(&format!("sub-{name}"), name).session
    }

    /// Logs in the person with broker subject `sub` as a finished login would: their own
    /// mailbox is opened (created at the first login) and a session started.
    pub fn citizen(&self, sub: &str, name: &str) -> Citizen {
        self.person(Owner::PersonBySubject(sub.to_owned()), None, name)
    }

    /// Logs in the person with CPR number `cpr` (the broker sent `dk.cpr`), as a finished
    /// login would.
    pub fn citizen_with_cpr(&self, cpr: &str, name: &str) -> Citizen {
        let cpr = Cpr::parse(cpr).unwrap();
        self.person(Owner::PersonByCpr(cpr.as_str().to_owned()), Some(cpr), name)
    }

    fn person(&self, owner: Owner, cpr: Option<Cpr>, name: &str) -> Citizen {
        self.log_in(owner, cpr, name, None)
    }

    /// Logs in the person with CPR number `cpr` through MitID Erhverv for `business` (the
    /// broker sent `nemlogin.cvr`, `nemlogin.org_name` and `nemlogin.auth_to_repr`), as a
    /// finished login would: the session starts in the business's mailbox, and the returned
    /// `Citizen` names that mailbox.
    pub fn business_citizen(&self, cpr: &str, name: &str, business: BusinessLogin) -> Citizen {
        let cpr = Cpr::parse(cpr).unwrap();
        self.log_in(
            Owner::PersonByCpr(cpr.as_str().to_owned()),
            Some(cpr),
            name,
            Some(business),
        )
    }

    fn log_in(
        &self,
        owner: Owner,
        cpr: Option<Cpr>,
        name: &str,
        business: Option<BusinessLogin>,
    ) -> Citizen {
        let now = unix_time(self.app.now());
        let own_mailbox = open_own_mailbox(self.app.store(), owner, now).unwrap().id;
        let current = match &business {
            Some(business) => Current {
                mailbox: open_own_mailbox(
                    self.app.store(),
                    Owner::Business(business.cvr.clone()),
                    now,
                )
                .unwrap()
                .id,
                via: Via::Business,
            },
            None => Current {
                mailbox: own_mailbox.clone(),
                via: Via::Own,
            },
        };
        let mailbox = current.mailbox.clone();
        let session = self.app.sessions().create(
            NewSession {
                broker: BrokerSession {
                    sub: format!("sub-{name}"),
                    sid: None,
                },
                person: Person {
                    name: name.to_owned(),
                    cpr,
                    business,
                    own_mailbox,
                },
                current,
                id_token: crate::session::tests::dummy_id_token(),
            },
            self.app.now(),
        );
        let csrf = self
            .app
            .sessions()
            .touch(&session, self.app.now())
            .unwrap()
            .csrf_token;
        Citizen {
            session,
            csrf,
            mailbox,
        }
    }

    /// `citizen` switches (as the mailbox list would) to the association `cvr`'s mailbox,
    /// without asking whether they are a member; the returned `Citizen` names that mailbox.
    pub fn switch_to_association(&self, citizen: Citizen, cvr: &str) -> Citizen {
        let mailbox = open_own_mailbox(
            self.app.store(),
            Owner::Association(cvr.to_owned()),
            unix_time(self.app.now()),
        )
        .unwrap()
        .id;
        assert!(self.app.sessions().switch(
            &citizen.session,
            Current {
                mailbox: mailbox.clone(),
                via: Via::Association {
                    cvr: cvr.to_owned(),
                },
            },
        ));
        Citizen { mailbox, ..citizen }
    }

    /// The standard folder `which` of `citizen`'s mailbox, read from the store.
    pub fn standard_folder(&self, citizen: &Citizen, which: StandardFolder) -> Folder {
        self.folders(citizen)
            .into_iter()
            .find(|folder| folder.standard_kind() == Some(which))
            .unwrap()
    }

    /// The folders of `citizen`'s mailbox, read from the store.
    pub fn folders(&self, citizen: &Citizen) -> Vec<Folder> {
        self.app.store().folders.list(&citizen.mailbox).unwrap()
    }

    /// The letters in `folder` of `citizen`'s mailbox, read from the store.
    pub fn letters_in(&self, citizen: &Citizen, folder: &Folder) -> Vec<Letter> {
        self.app
            .store()
            .letters
            .list(&citizen.mailbox, &folder.id)
            .unwrap()
    }

    /// `citizen` GETs `path`.
    pub async fn get_as(&self, citizen: &Citizen, path: &str) -> Response<Body> {
        self.get(path, &[(crate::cookies::SESSION_COOKIE, &citizen.session)])
            .await
    }

    /// `citizen` GETs `path` with the English pages chosen.
    pub async fn get_in_english(&self, citizen: &Citizen, path: &str) -> Response<Body> {
        self.get(
            path,
            &[
                (crate::cookies::SESSION_COOKIE, &citizen.session),
                (crate::language::LANGUAGE_COOKIE, "en"),
            ],
        )
        .await
    }

    /// `citizen` POSTs the form `fields` plus their CSRF token to `path`.
    pub async fn post_as(
        &self,
        citizen: &Citizen,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response<Body> {
        let mut pairs = vec![("csrf_token", citizen.csrf.as_str())];
        pairs.extend_from_slice(fields);
        let form = fake_broker::form_encode(&pairs);
        self.post_form(
            path,
            &[(crate::cookies::SESSION_COOKIE, &citizen.session)],
            &form,
        )
        .await
    }

    /// `citizen` POSTs the form `fields` plus their CSRF token to `path`, with the English
    /// pages chosen.
    pub async fn post_in_english(
        &self,
        citizen: &Citizen,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response<Body> {
        let mut pairs = vec![("csrf_token", citizen.csrf.as_str())];
        pairs.extend_from_slice(fields);
        let form = fake_broker::form_encode(&pairs);
        self.post_form(
            path,
            &[
                (crate::cookies::SESSION_COOKIE, &citizen.session),
                (crate::language::LANGUAGE_COOKIE, "en"),
            ],
            &form,
        )
        .await
    }

    /// `citizen` POSTs `fields` (their CSRF token not added: put it in `fields`) and `files`
    /// (`(field, file name, bytes)`) to `path` as `multipart/form-data`, as a browser sends
    /// a form with a file input.
    pub async fn post_multipart(
        &self,
        citizen: &Citizen,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Response<Body> {
        const BOUNDARY: &str = "----mailboxtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let request = with_cookies(
            Request::post(path),
            &[(crate::cookies::SESSION_COOKIE, &citizen.session)],
        )
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
        self.send(request).await
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

    /// POSTs `json` with `Content-Type: application/json` (the simulator API).
    pub async fn post_json(&self, path: &str, json: &serde_json::Value) -> Response<Body> {
        let request = Request::post(path)
            .header("content-type", "application/json")
            .body(Body::from(json.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// `owner` grants the person with CPR number `helper_cpr` access through the form of
    /// `/access`: `permission` (`read` or `read_write`), the `folders` given (all when
    /// empty), `password`.
    pub async fn grant(
        &self,
        owner: &Citizen,
        helper_cpr: &str,
        permission: &str,
        folders: &[&crate::post::FolderId],
        password: &str,
    ) -> Response<Body> {
        let mut fields = vec![
            ("name", "Hjælper"),
            ("cpr", helper_cpr),
            ("permission", permission),
            ("password", password),
        ];
        if folders.is_empty() {
            fields.push(("all_folders", "on"));
        }
        for folder in folders {
            fields.push(("folder", folder.as_str()));
        }
        self.post_as(owner, crate::paths::ACCESS, &fields).await
    }

    /// The grant of `owner`'s mailbox to `helper_cpr` that is not revoked, from the store.
    pub fn grant_to(&self, owner: &Citizen, helper_cpr: &str) -> crate::access::Grant {
        let helper = Cpr::parse(helper_cpr).unwrap();
        self.app
            .store()
            .grants
            .list(&owner.mailbox)
            .unwrap()
            .into_iter()
            .find(|grant| grant.grantee == helper && grant.revoked_at.is_none())
            .unwrap()
    }

    /// `helper` opens grant `id` with `password` from the mailbox list.
    pub async fn open_grant(
        &self,
        helper: &Citizen,
        id: &crate::access::GrantId,
        password: &str,
    ) -> Response<Body> {
        let to = format!("grant:{}", id.as_str());
        self.post_as(
            helper,
            crate::paths::MAILBOXES_SWITCH,
            &[("to", to.as_str()), ("password", password)],
        )
        .await
    }

    /// `citizen` switches back to their own mailbox.
    pub async fn open_own(&self, citizen: &Citizen) -> Response<Body> {
        self.post_as(citizen, crate::paths::MAILBOXES_SWITCH, &[("to", "own")])
            .await
    }

    /// The letter with `subject` in `folder` of `citizen`'s mailbox, if there is one.
    pub fn find_letter(
        &self,
        citizen: &Citizen,
        which: StandardFolder,
        subject: &str,
    ) -> Option<Letter> {
        let folder = self.standard_folder(citizen, which);
        self.letters_in(citizen, &folder)
            .into_iter()
            .find(|letter| letter.content.subject == subject)
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
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

/// A logged-in person in a test: session cookie, CSRF token and mailbox.
pub struct Citizen {
    pub session: String,
    pub csrf: String,
    pub mailbox: MailboxId,
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

pub async fn body_json(response: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&body_text(response).await).unwrap()
}

pub async fn body_bytes(response: Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap()
        .to_vec()
}

pub async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}
