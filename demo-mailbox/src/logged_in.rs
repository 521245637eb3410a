//! The extractors that check the login on every request.
//!
//! - [`LoggedInPerson`]: a live session (it exists, has been used within `session_idle_secs`
//!   and is younger than `session_max_secs`, by the injected clock). For the pages about the
//!   person rather than a mailbox: choosing a mailbox, logout.
//! - [`LoggedIn`]: a live session that may still open the mailbox it works in, checked again
//!   on this request: a grant revoked (or re-passworded) meanwhile, or a membership that
//!   ended, refuses the request at once with 403, whatever it asked for.
//!
//! Without a live session, both redirect to `/login`.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;

use crate::access::{Access, Helper, Role};
use crate::app::App;
use crate::cookies::{read_cookie, SESSION_COOKIE};
use crate::language::Lang;
use crate::notice::Notice;
use crate::pages::redirect;
use crate::paths::{local_return_path, HOME, LOGIN};
use crate::problem::Problem;
use crate::session::{ActiveSession, Current, LiveSession, Via};

/// A logged-in person, whatever mailbox their session works in.
#[derive(Clone)]
pub struct LoggedInPerson {
    /// The session.
    pub session: LiveSession,
    /// The language of the pages.
    pub lang: Lang,
}

impl LoggedInPerson {
    fn from_parts(parts: &Parts, app: &App) -> Option<Self> {
        let id = read_cookie(&parts.headers, SESSION_COOKIE)?;
        let session = app.sessions().touch(id, app.now())?;
        Some(Self {
            session,
            lang: Lang::from_headers(&parts.headers),
        })
    }
}

impl FromRequestParts<App> for LoggedInPerson {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts, app).ok_or_else(|| redirect(&login_path(parts)))
    }
}

/// Where a request without a live session is sent: the login, which ends back at the page
/// asked for when it is one to return to (a GET of a local page other than the front page).
fn login_path(parts: &Parts) -> String {
    let asked = parts
        .uri
        .path_and_query()
        .map(|path| path.as_str())
        .filter(|_| parts.method == Method::GET)
        .and_then(local_return_path);
    match asked {
        Some(path) => {
            let encoded: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            format!("{LOGIN}?return_to={encoded}")
        }
        None => LOGIN.to_owned(),
    }
}

/// `Option<LoggedInPerson>`: for handlers that also serve people without a session.
impl OptionalFromRequestParts<App> for LoggedInPerson {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &App,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(Self::from_parts(parts, app))
    }
}

/// The person behind this request, working in a mailbox they may open.
#[derive(Clone)]
pub struct LoggedIn(pub ActiveSession);

impl FromRequestParts<App> for LoggedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let LoggedInPerson { session, lang } =
            <LoggedInPerson as FromRequestParts<App>>::from_request_parts(parts, app).await?;
        match open_current(app, session.clone(), lang)
            .or_else(|problem| back_to_own_mailbox(app, parts, session, lang, problem))
        {
            Ok(mut active) => {
                // A page (a GET) shows the notice of the last action, once.
                if parts.method == Method::GET {
                    active.notice = app.sessions().take_notice(&active.id);
                }
                Ok(Self(active))
            }
            Err(problem) => Err(problem.page(lang)),
        }
    }
}

/// When the session's access to its mailbox ended (a grant revoked, a membership ended) and
/// it asks for the front page: it goes back to the person's own mailbox, with a notice saying
/// why, rather than to a refusal. Any other request is refused as before (`problem`): a form
/// from the old mailbox must not act in the own one.
fn back_to_own_mailbox(
    app: &App,
    parts: &Parts,
    session: LiveSession,
    lang: Lang,
    problem: Problem,
) -> Result<ActiveSession, Problem> {
    let asks_front_page = parts.method == Method::GET && parts.uri.path() == HOME;
    if !matches!(problem, Problem::AccessEnded) || !asks_front_page {
        return Err(problem);
    }
    let own = Current {
        mailbox: session.person.own_mailbox.clone(),
        via: Via::Own,
    };
    app.sessions().switch(&session.id, own.clone());
    app.sessions().set_notice(&session.id, Notice::AccessEnded);
    tracing::info!("access ended: the session is back in its own mailbox");
    open_current(
        app,
        LiveSession {
            current: own,
            ..session
        },
        lang,
    )
}

/// Works out, now, whether the session may still open its current mailbox and what it may
/// do there. [`Problem::AccessEnded`] when it may not.
pub fn open_current(app: &App, session: LiveSession, lang: Lang) -> Result<ActiveSession, Problem> {
    let store = app.store();
    let person = &session.person;
    let (access, mailbox_name) = match &session.current.via {
        Via::Own => (Access::Owner, person.name.clone()),
        Via::Business => match &person.business {
            Some(business) => (
                Access::Business {
                    may_represent: business.may_represent,
                },
                business.name.clone(),
            ),
            None => return Err(Problem::AccessEnded),
        },
        Via::Association { cvr } => {
            let membership = match &person.cpr {
                Some(cpr) => store.memberships.get(cpr, cvr)?,
                None => None,
            };
            match membership {
                Some(membership) => (
                    Access::Member {
                        administrator: membership.role == Role::Admin,
                    },
                    membership.name,
                ),
                None => return Err(Problem::AccessEnded),
            }
        }
        Via::Grant { id, version } => {
            let grant = match &person.cpr {
                Some(cpr) => store.grants.get_for_grantee(cpr, id)?,
                None => None,
            };
            match grant {
                Some(grant)
                    if grant.revoked_at.is_none()
                        && grant.version == *version
                        && grant.mailbox == session.current.mailbox =>
                {
                    let helper = Helper {
                        grant: grant.id,
                        permission: grant.permission,
                        folders: grant.folders,
                    };
                    (Access::Helper(helper), grant.owner_name)
                }
                _ => return Err(Problem::AccessEnded),
            }
        }
    };
    Ok(ActiveSession {
        id: session.id.clone(),
        notice: None,
        name: person.name.clone(),
        person: session.person.clone(),
        mailbox: session.current.mailbox,
        access,
        mailbox_name,
        csrf_token: session.csrf_token,
        lang,
    })
}
