//! The interactive MitID (and NemID) login: user ID -> authenticator -> CPR match -> business
//! identity -> back to the client. Each screen's form is an [`Input`]; [`submit`] applies it to
//! the pending login and stores the new step (or settles the login). The simulated devices
//! (the app, the chip) answer through [`app_answer`] and [`chip_touch`]. Time is always `now`,
//! from the injected clock.
//!
//! Rules where the sources are silent (DESIGN.md, `domain/mitid.md`):
//! - Only the ways of logging in that reach the required level are offered; with one, it
//!   starts at once; with none, the login fails with `mitid_level_not_reachable`.
//! - A failure shows its own screen; leaving it sends `access_denied` with the failure's code
//!   to the client. Cancel, at any step, sends `mitid_user_aborted` at once.
//! - Wrong codes and passwords count per identity and device across logins, so a block
//!   outlives the login that caused it (it ends by itself, or through the control API).

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use super::approve;
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::mitid::{
    self, simulate, Authenticator, Cpr, FailureOutcome, KeyCard, KeyCheck, LockoutPolicy,
    TotpDevice,
};
use crate::model::{
    AppRequest, Assurance, AuthRequest, DecisionSource, Device, DeviceState, EnrolledAuthenticator,
    Failure, Flow, Identity, IdentityRule, IdentityStatus, Idp, Level, LoginStatus, LoginTxn,
    Method, Notice, Step, UserId,
};
use crate::secrets;
use crate::store::{Settle, StoreError};

/// What a screen's form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    UserId(String),
    Choose(Method),
    Code(String),
    Password(String),
    Cpr(String),
    /// A business identity by its professional UUID; `None`: continue as private.
    Business(Option<String>),
    /// Choose another way of logging in.
    Switch,
    /// Try again after a failure that allows it.
    Retry,
    /// Cancel the login: the client gets `mitid_user_aborted`.
    Cancel,
    /// Leave a failure screen: the client gets the failure's code.
    Leave,
}

/// How the simulated app answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppAnswer {
    /// Approve after typing the 4-digit code the browser shows; `None` only from the control
    /// API, which may approve without it.
    Approve {
        code: Option<String>,
    },
    /// Approve after scanning the QR code: the two frames' halves of the channel binding.
    Scan {
        binding: String,
    },
    Reject,
}

/// Why a device's answer was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("there is no such request waiting for this device")]
    NoRequest,
    #[error("the code does not match the one shown in the browser")]
    WrongCode,
    #[error("the request has expired")]
    Expired,
    #[error("{0}")]
    Login(OAuthError),
}

impl From<StoreError> for DeviceError {
    fn from(e: StoreError) -> DeviceError {
        DeviceError::Login(e.into())
    }
}

impl From<OAuthError> for DeviceError {
    fn from(e: OAuthError) -> DeviceError {
        DeviceError::Login(e)
    }
}

impl From<DeviceError> for OAuthError {
    fn from(e: DeviceError) -> OAuthError {
        match e {
            DeviceError::Login(e) => e,
            e => OAuthError::invalid_request(e.to_string()),
        }
    }
}

/// How the screens name themselves as the deciding source.
pub const VIA: &str = "mitid_login";

/// A login as the screens see it: its flow brought up to `now` (an app request past its time
/// has expired). Written back when that changed it.
pub fn refresh(broker: &Broker, txn: LoginTxn, now: UnixTime) -> Result<LoginTxn, StoreError> {
    if !txn.status.is_pending() {
        return Ok(txn);
    }
    if let Step::App(request) = &txn.flow.step {
        if request.expires_at <= now {
            let mut flow = txn.flow.clone();
            flow.step = failed(Failure::ApprovalExpired);
            return reload_if_stale(
                broker,
                &txn,
                broker
                    .store
                    .logins
                    .update_flow(&txn.id, txn.flow.rev, &flow)?,
            );
        }
    }
    Ok(txn)
}

fn reload_if_stale(
    broker: &Broker,
    txn: &LoginTxn,
    written: Option<LoginTxn>,
) -> Result<LoginTxn, StoreError> {
    match written {
        Some(t) => Ok(t),
        None => Ok(broker
            .store
            .logins
            .get(&txn.id)?
            .unwrap_or_else(|| txn.clone())),
    }
}

fn failed(failure: Failure) -> Step {
    Step::Failed { failure }
}

/// Applies a screen's input to a pending login. Returns the login as it now stands: still
/// pending on its next screen, or settled (to be finished by the caller). An input that does
/// not fit the current screen (a stale form) changes nothing.
pub fn submit(
    broker: &Broker,
    txn: &LoginTxn,
    input: Input,
    now: UnixTime,
) -> Result<LoginTxn, OAuthError> {
    let txn = refresh(broker, txn.clone(), now)?;
    // A login past its lifetime is finished by nothing: not its forms, not its devices.
    if !txn.status.is_pending() || txn.expires_at <= now {
        return Ok(txn);
    }
    let identity = match &txn.flow.identity_id {
        Some(id) => broker.store.identities.get(id)?,
        None => None,
    };
    let mut flow = txn.flow.clone();
    flow.notice = None;
    let ctx = Ctx {
        broker,
        request: &txn.request,
        now,
    };
    let next = match (input, identity) {
        (Input::Cancel, _) => Next::Settle(rejected(Failure::UserAborted, now)),
        (Input::Leave, _) => match flow.step {
            Step::Failed { failure } => Next::Settle(rejected(failure, now)),
            _ => Next::Unchanged,
        },
        (Input::UserId(text), _) if matches!(flow.step, Step::UserId) => {
            ctx.user_id(&mut flow, &text)?
        }
        (_, None) => match (&flow.step, ()) {
            (
                Step::Failed {
                    failure: Failure::UnknownUser,
                },
                (),
            ) => {
                flow.step = Step::UserId;
                Next::Continue
            }
            _ => Next::Unchanged,
        },
        (input, Some(identity)) => ctx.with_identity(&mut flow, &identity, input)?,
    };
    match next {
        Next::Unchanged => Ok(txn),
        Next::Continue => Ok(reload_if_stale(
            broker,
            &txn,
            broker
                .store
                .logins
                .update_flow(&txn.id, txn.flow.rev, &flow)?,
        )?),
        Next::Settle(status) => settle(broker, &txn, &flow, &status),
    }
}

/// Stores the final flow and writes the terminal status; a login someone else settled first
/// keeps that outcome.
fn settle(
    broker: &Broker,
    txn: &LoginTxn,
    flow: &Flow,
    status: &LoginStatus,
) -> Result<LoginTxn, OAuthError> {
    if broker
        .store
        .logins
        .update_flow(&txn.id, txn.flow.rev, flow)?
        .is_none()
    {
        // Written meanwhile (the app answered, say): the newer state stands.
        return Ok(broker
            .store
            .logins
            .get(&txn.id)?
            .unwrap_or_else(|| txn.clone()));
    }
    match broker.store.logins.settle(&txn.id, status)? {
        Settle::Settled(t) | Settle::AlreadySettled(t) => Ok(t),
        Settle::NotFound => Err(OAuthError::invalid_request("there is no such login")),
    }
}

fn rejected(failure: Failure, now: UnixTime) -> LoginStatus {
    LoginStatus::Rejected {
        description: failure.code().into(),
        decided_by: DecisionSource::Explicit { via: VIA.into() },
        decided_at: now,
    }
}

enum Next {
    /// Nothing to write: the input did not fit the screen.
    Unchanged,
    /// Store the changed flow.
    Continue,
    /// Store the flow and settle the login.
    Settle(LoginStatus),
}

struct Ctx<'a> {
    broker: &'a Broker,
    request: &'a AuthRequest,
    now: UnixTime,
}

impl Ctx<'_> {
    fn required(&self) -> Level {
        self.broker.required_level(self.request)
    }

    fn user_id(&self, flow: &mut Flow, text: &str) -> Result<Next, OAuthError> {
        let text = text.trim();
        if text.is_empty() || text.len() > 64 {
            flow.notice = Some(Notice::InvalidUserId);
            return Ok(Next::Continue);
        }
        let store = &self.broker.store.identities;
        let identity = match store.by_user_id(&UserId::new(text))? {
            Some(i) => Some(i),
            // User IDs are not case-sensitive.
            None => store
                .list()?
                .into_iter()
                .find(|i| i.user_id.as_str().eq_ignore_ascii_case(text)),
        };
        let Some(identity) = identity else {
            flow.step = failed(Failure::UnknownUser);
            return Ok(Next::Continue);
        };
        flow.identity_id = Some(identity.id.clone());
        flow.user_id = Some(identity.user_id.clone());
        let refusal = match (identity.status, identity.rule) {
            (IdentityStatus::Revoked, _) => Some(Failure::IdentityRevoked),
            (IdentityStatus::Suspended, _) | (_, Some(IdentityRule::Locked)) => {
                Some(Failure::IdentityLocked)
            }
            _ => None,
        };
        if let Some(failure) = refusal {
            flow.step = failed(failure);
            return Ok(Next::Continue);
        }
        match identity.rule {
            Some(IdentityRule::AlwaysCancels) => {
                return Ok(Next::Settle(rejected(Failure::UserAborted, self.now)))
            }
            Some(IdentityRule::AlwaysApproves) => {
                return Ok(Next::Settle(approve::approve(
                    &identity,
                    self.request,
                    self.required(),
                    DecisionSource::IdentityRule {
                        user_id: identity.user_id.clone(),
                    },
                    self.now,
                )))
            }
            _ => {}
        }
        self.offer(flow, &identity)
    }

    /// After the user ID (or a switch): the ways of logging in that reach the level; one starts
    /// at once.
    fn offer(&self, flow: &mut Flow, identity: &Identity) -> Result<Next, OAuthError> {
        flow.method = None;
        flow.used.clear();
        let offered = offered_methods(identity, self.request, self.required());
        match offered.as_slice() {
            [] => {
                flow.step = failed(self.no_method_failure(identity));
                Ok(Next::Continue)
            }
            [only] => self.start(flow, identity, *only),
            _ => {
                flow.step = Step::Choose;
                Ok(Next::Continue)
            }
        }
    }

    fn no_method_failure(&self, identity: &Identity) -> Failure {
        let idps = &self.request.idp_values;
        let erhverv_only = !idps.is_empty() && idps.iter().all(|i| *i == Idp::MitidErhverv);
        let nemid_only = !idps.is_empty() && idps.iter().all(|i| *i == Idp::Nemid);
        if erhverv_only && identity.business.is_empty() {
            Failure::NoBusinessIdentity
        } else if nemid_only && identity.nemid.is_none() {
            Failure::UnknownUser
        } else {
            Failure::LevelNotReachable
        }
    }

    fn start(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        method: Method,
    ) -> Result<Next, OAuthError> {
        if !offered_methods(identity, self.request, self.required()).contains(&method) {
            return Ok(Next::Unchanged);
        }
        let devices = self.broker.store.devices.get(&identity.id)?;
        if let Some((device, until)) = devices_of(method)
            .iter()
            .find_map(|d| devices.lockout(*d).block_end(self.now).map(|u| (*d, u)))
        {
            flow.method = Some(method);
            flow.step = failed(Failure::AuthenticatorBlocked { device, until });
            return Ok(Next::Continue);
        }
        flow.method = Some(method);
        flow.used.clear();
        flow.step = match method {
            Method::App => Step::App(new_app_request(
                self.now,
                self.broker.config.login.app_approval_seconds,
            )),
            Method::CodeViewer | Method::CodeReader => Step::Code,
            Method::Chip | Method::Password | Method::Nemid => Step::Password,
        };
        Ok(Next::Continue)
    }

    fn with_identity(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        input: Input,
    ) -> Result<Next, OAuthError> {
        match (input, flow.step.clone()) {
            (Input::Choose(method), Step::Choose) => self.start(flow, identity, method),
            (Input::Switch, step) if switchable(&step) => self.offer(flow, identity),
            (Input::Retry, Step::Failed { failure }) => match failure {
                Failure::UnknownUser => {
                    flow.step = Step::UserId;
                    Ok(Next::Continue)
                }
                Failure::ApprovalExpired => self.start(flow, identity, Method::App),
                Failure::AuthenticatorBlocked { .. } => self.offer(flow, identity),
                _ => Ok(Next::Unchanged),
            },
            (Input::Code(code), Step::Code) => self.code(flow, identity, &code),
            (Input::Password(password), Step::Password) => self.password(flow, identity, &password),
            (Input::Code(code), Step::KeyCard { key }) => self.key_card(flow, identity, key, &code),
            (Input::Cpr(text), Step::Cpr) => self.cpr(flow, identity, &text),
            (Input::Business(choice), Step::Business) => self.business(flow, identity, choice),
            _ => Ok(Next::Unchanged),
        }
    }

    fn code(&self, flow: &mut Flow, identity: &Identity, code: &str) -> Result<Next, OAuthError> {
        let (device, kind) = match flow.method {
            Some(Method::CodeViewer) => (Device::CodeViewer, Authenticator::CodeViewer),
            Some(Method::CodeReader) => (Device::CodeReader, Authenticator::CodeReader),
            _ => return Ok(Next::Unchanged),
        };
        let mut devices = self.broker.store.devices.get(&identity.id)?;
        if let Some(until) = devices.lockout(device).block_end(self.now) {
            flow.step = failed(Failure::AuthenticatorBlocked { device, until });
            return Ok(Next::Continue);
        }
        let accepted = match code_device(self.broker, identity, device) {
            Some(totp) if identity.rule != Some(IdentityRule::WrongCode) => {
                totp.accepted_step(code.trim(), self.now).filter(|step| {
                    devices
                        .last_totp_step
                        .get(&device)
                        .is_none_or(|last| step > last)
                })
            }
            _ => None,
        };
        let policy = self.broker.config.login.code_lockout;
        let next = match accepted {
            Some(step) => {
                devices.lockout_mut(device).record_success();
                devices.last_totp_step.insert(device, step);
                flow.used.push(kind);
                flow.step = Step::Password;
                Next::Continue
            }
            None => self.wrong(flow, &mut devices, device, policy, |left| {
                Notice::WrongCode {
                    attempts_left: left,
                }
            }),
        };
        self.broker.store.devices.put(&identity.id, &devices)?;
        Ok(next)
    }

    /// Counts a wrong attempt: a notice with the attempts left, or the blocked screen.
    fn wrong(
        &self,
        flow: &mut Flow,
        devices: &mut DeviceState,
        device: Device,
        policy: LockoutPolicy,
        notice: impl Fn(u32) -> Notice,
    ) -> Next {
        match devices
            .lockout_mut(device)
            .record_failure(self.now, &policy)
        {
            FailureOutcome::Counted { attempts_left } => flow.notice = Some(notice(attempts_left)),
            FailureOutcome::NowBlocked { until } | FailureOutcome::StillBlocked { until } => {
                flow.step = failed(Failure::AuthenticatorBlocked { device, until });
            }
        }
        Next::Continue
    }

    fn password(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        password: &str,
    ) -> Result<Next, OAuthError> {
        let device = Device::Password;
        let mut devices = self.broker.store.devices.get(&identity.id)?;
        if let Some(until) = devices.lockout(device).block_end(self.now) {
            flow.step = failed(Failure::AuthenticatorBlocked { device, until });
            return Ok(Next::Continue);
        }
        let policy = self.broker.config.login.password_lockout;
        if !identity.verify_password(password) {
            let next = self.wrong(flow, &mut devices, device, policy, |left| {
                Notice::WrongPassword {
                    attempts_left: left,
                }
            });
            self.broker.store.devices.put(&identity.id, &devices)?;
            return Ok(next);
        }
        devices.lockout_mut(device).record_success();
        flow.used.push(Authenticator::Password);
        let next = match flow.method {
            Some(Method::Chip) => {
                flow.step = Step::Chip;
                Next::Continue
            }
            Some(Method::Nemid) => {
                let card = self.key_card_of(identity, &mut devices)?;
                match card.and_then(|c| c.next_challenge()) {
                    Some(key) => flow.step = Step::KeyCard { key },
                    None => flow.step = failed(Failure::KeyCardUsedUp),
                }
                Next::Continue
            }
            _ => self.authenticated(flow, identity)?,
        };
        self.broker.store.devices.put(&identity.id, &devices)?;
        Ok(next)
    }

    /// The person's key card, made from their seed the first time it is needed.
    fn key_card_of<'d>(
        &self,
        identity: &Identity,
        devices: &'d mut DeviceState,
    ) -> Result<Option<&'d mut KeyCard>, OAuthError> {
        if devices.key_card.is_none() {
            devices.key_card = issue_key_card(self.broker, identity, 0)?;
        }
        Ok(devices.key_card.as_mut())
    }

    fn key_card(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        key: mitid::KeyNumber,
        code: &str,
    ) -> Result<Next, OAuthError> {
        let device = Device::KeyCard;
        let mut devices = self.broker.store.devices.get(&identity.id)?;
        if let Some(until) = devices.lockout(device).block_end(self.now) {
            flow.step = failed(Failure::AuthenticatorBlocked { device, until });
            return Ok(Next::Continue);
        }
        let wrong_rule = identity.rule == Some(IdentityRule::WrongCode);
        let Some(card) = self.key_card_of(identity, &mut devices)? else {
            flow.step = failed(Failure::KeyCardUsedUp);
            return Ok(Next::Continue);
        };
        // The key is spent right or wrong; the rule "wrong code" spends it as wrong.
        let check = card.verify(key, code.trim());
        let correct = check == KeyCheck::Correct && !wrong_rule;
        let next_key = card.next_challenge();
        let running_low = card.running_low();
        let next = if correct {
            devices.lockout_mut(device).record_success();
            if running_low {
                // The screen said a new card is on its way: it replaces the old one now, and
                // the card page shows it.
                devices.key_cards_issued += 1;
                devices.key_card = issue_key_card(self.broker, identity, devices.key_cards_issued)?;
            }
            self.authenticated(flow, identity)?
        } else {
            let policy = self.broker.config.login.code_lockout;
            let next = self.wrong(flow, &mut devices, device, policy, |_| {
                Notice::WrongKeyCardCode
            });
            if matches!(flow.step, Step::KeyCard { .. }) {
                flow.step = match next_key {
                    Some(key) => Step::KeyCard { key },
                    None => failed(Failure::KeyCardUsedUp),
                };
            }
            next
        };
        self.broker.store.devices.put(&identity.id, &devices)?;
        Ok(next)
    }

    /// The authenticators are done: CPR match, business identity, then approval.
    fn authenticated(&self, flow: &mut Flow, identity: &Identity) -> Result<Next, OAuthError> {
        let client = self.broker.store.clients.get(&self.request.client_id)?;
        let private_service = client.is_some_and(|c| c.private_service);
        if self.request.asks_for_cpr() && private_service && identity.cpr.is_some() {
            flow.step = Step::Cpr;
            return Ok(Next::Continue);
        }
        self.after_cpr(flow, identity)
    }

    fn after_cpr(&self, flow: &mut Flow, identity: &Identity) -> Result<Next, OAuthError> {
        let wants_business = self.request.idp_values.contains(&Idp::MitidErhverv);
        if wants_business && !identity.business.is_empty() && flow.method != Some(Method::Nemid) {
            flow.step = Step::Business;
            return Ok(Next::Continue);
        }
        if wants_business && !allows_private(self.request) && flow.method != Some(Method::Nemid) {
            flow.step = failed(Failure::NoBusinessIdentity);
            return Ok(Next::Continue);
        }
        Ok(self.approve(flow, identity))
    }

    fn cpr(&self, flow: &mut Flow, identity: &Identity, text: &str) -> Result<Next, OAuthError> {
        let matches = Cpr::parse(text.trim())
            .ok()
            .is_some_and(|c| Some(c) == identity.cpr);
        if matches {
            return self.after_cpr(flow, identity);
        }
        flow.cpr_failures += 1;
        let tries = self.broker.config.login.cpr_match_tries.max(1);
        if flow.cpr_failures >= tries {
            flow.step = failed(Failure::CprMatchFailed);
        } else {
            flow.notice = Some(Notice::WrongCpr {
                attempts_left: tries - flow.cpr_failures,
            });
        }
        Ok(Next::Continue)
    }

    fn business(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        choice: Option<String>,
    ) -> Result<Next, OAuthError> {
        match choice {
            Some(uuid)
                if identity
                    .business
                    .iter()
                    .any(|b| b.professional_uuid == uuid) =>
            {
                flow.business = Some(uuid);
            }
            None if allows_private(self.request) => flow.business = None,
            _ => return Ok(Next::Unchanged),
        }
        Ok(self.approve(flow, identity))
    }

    /// The approval the authenticators used make, or the level failure.
    fn approve(&self, flow: &mut Flow, identity: &Identity) -> Next {
        let Some(status) = approval(identity, flow, self.required(), self.now) else {
            flow.step = failed(Failure::LevelNotReachable);
            return Next::Continue;
        };
        Next::Settle(status)
    }
}

/// The approval for the authenticators `flow` used, if they reach `required`.
fn approval(
    identity: &Identity,
    flow: &Flow,
    required: Level,
    now: UnixTime,
) -> Option<LoginStatus> {
    let (idp, aal, amr) = if flow.method == Some(Method::Nemid) {
        (
            Idp::Nemid,
            simulate::NEMID_AAL,
            simulate::NEMID_AMR.iter().map(|s| s.to_string()).collect(),
        )
    } else {
        let idp = if flow.business.is_some() {
            Idp::MitidErhverv
        } else {
            Idp::Mitid
        };
        let amr = mitid::amr_values(&flow.used)
            .into_iter()
            .map(String::from)
            .collect();
        (idp, mitid::aal(&flow.used)?, amr)
    };
    let assurance = Assurance {
        idp,
        ial: identity.ial,
        aal,
    };
    (assurance.loa() >= required).then(|| LoginStatus::Approved {
        identity_id: identity.id.clone(),
        user_id: identity.user_id.clone(),
        acr: assurance.loa(),
        amr,
        assurance,
        business: flow.business.clone(),
        decided_by: DecisionSource::Explicit { via: VIA.into() },
        decided_at: now,
    })
}

/// Whether the client lets a person without (or not choosing) a business identity continue
/// with their private MitID: it asked for `mitid` beside `mitid_erhverv`.
pub fn allows_private(request: &AuthRequest) -> bool {
    request.idp_values.is_empty() || request.idp_values.contains(&Idp::Mitid)
}

fn switchable(step: &Step) -> bool {
    matches!(
        step,
        Step::Choose
            | Step::App(_)
            | Step::Code
            | Step::Password
            | Step::Chip
            | Step::KeyCard { .. }
            | Step::Failed {
                failure: Failure::AuthenticatorBlocked { .. } | Failure::ApprovalExpired
            }
    )
}

/// The devices a way of logging in uses; any of them blocked stops it.
pub fn devices_of(method: Method) -> &'static [Device] {
    match method {
        Method::App => &[Device::App],
        Method::CodeViewer => &[Device::CodeViewer, Device::Password],
        Method::CodeReader => &[Device::CodeReader, Device::Password],
        Method::Chip => &[Device::Password, Device::Chip],
        Method::Password => &[Device::Password],
        Method::Nemid => &[Device::Password, Device::KeyCard],
    }
}

/// The authenticators a way of logging in proves, when the identity has them.
fn method_authenticators(identity: &Identity, method: Method) -> Option<Vec<Authenticator>> {
    let has = |kind: Authenticator| identity.authenticator_kinds().contains(&kind);
    let app = active_app(identity);
    let password = has(Authenticator::Password);
    match method {
        Method::App => app.map(|a| vec![a]),
        Method::CodeViewer => (password && has(Authenticator::CodeViewer))
            .then(|| vec![Authenticator::CodeViewer, Authenticator::Password]),
        Method::CodeReader => (password && has(Authenticator::CodeReader))
            .then(|| vec![Authenticator::CodeReader, Authenticator::Password]),
        Method::Chip => (password && has(Authenticator::Chip))
            .then(|| vec![Authenticator::Password, Authenticator::Chip]),
        Method::Password => password.then(|| vec![Authenticator::Password]),
        Method::Nemid => None,
    }
}

/// The person's app, when it is activated.
fn active_app(identity: &Identity) -> Option<Authenticator> {
    identity.authenticators.iter().find_map(|a| match a {
        EnrolledAuthenticator::App {
            enrolled_at_high,
            pending_activation: None,
        } => Some(Authenticator::App {
            enrolled_at_high: *enrolled_at_high,
        }),
        _ => None,
    })
}

/// The ways of logging in offered to `identity` for `request`: the ones the client's identity
/// providers allow, the person has, and that reach `required`, in MitID's order.
pub fn offered_methods(identity: &Identity, request: &AuthRequest, required: Level) -> Vec<Method> {
    let idps = &request.idp_values;
    let mitid_allowed = idps.is_empty()
        || idps.contains(&Idp::Mitid)
        || (idps.contains(&Idp::MitidErhverv) && !identity.business.is_empty());
    let mut offered = Vec::new();
    if mitid_allowed {
        for method in [
            Method::App,
            Method::CodeViewer,
            Method::CodeReader,
            Method::Chip,
            Method::Password,
        ] {
            let reaches = method_authenticators(identity, method)
                .and_then(|used| mitid::aal(&used))
                .is_some_and(|aal| mitid::loa(identity.ial, aal) >= required);
            if reaches {
                offered.push(method);
            }
        }
    }
    let nemid_ok = idps.contains(&Idp::Nemid)
        && identity
            .nemid
            .as_ref()
            .is_some_and(|n| n.key_card_seed.is_some())
        && identity
            .authenticator_kinds()
            .contains(&Authenticator::Password)
        && mitid::loa(identity.ial, simulate::NEMID_AAL) >= required;
    if nemid_ok {
        offered.push(Method::Nemid);
    }
    offered
}

fn new_app_request(now: UnixTime, seconds: i64) -> AppRequest {
    let mut rng = rand::thread_rng();
    let binding: [u8; 16] = rng.gen();
    AppRequest {
        code: format!("{:04}", rng.gen_range(0..10_000u32)),
        binding: binding.iter().map(|b| format!("{b:02x}")).collect(),
        started_at: now,
        expires_at: now + seconds.max(1),
    }
}

/// The person's `generation`-th key card (0: the first), from their NemID seed.
pub fn issue_key_card(
    broker: &Broker,
    identity: &Identity,
    generation: u64,
) -> Result<Option<KeyCard>, OAuthError> {
    let Some(seed) = identity.nemid.as_ref().and_then(|n| n.key_card_seed) else {
        return Ok(None);
    };
    KeyCard::generate(
        seed.wrapping_add(generation),
        broker.config.login.key_card_size,
    )
    .map(Some)
    .map_err(|e| OAuthError::server_error(e.to_string()))
}

/// The TOTP generator of an identity's code viewer or code reader. Its secret is derived
/// from the device's serial with the instance's secret (HMAC-SHA-256), so the device page and
/// the login agree without storing a secret, and another instance's devices differ. Only an
/// activated device counts.
pub fn code_device(broker: &Broker, identity: &Identity, device: Device) -> Option<TotpDevice> {
    let serial = identity
        .authenticators
        .iter()
        .filter(|a| a.is_active())
        .find_map(|a| match (a, device) {
            (EnrolledAuthenticator::CodeViewer { serial, .. }, Device::CodeViewer)
            | (EnrolledAuthenticator::CodeReader { serial, .. }, Device::CodeReader) => Some(
                serial
                    .clone()
                    .unwrap_or_else(|| format!("{}-{}", device.as_str(), identity.id)),
            ),
            _ => None,
        })?;
    device_for_serial(broker, &serial)
}

/// The TOTP generator of the code device with this serial.
pub fn device_for_serial(broker: &Broker, serial: &str) -> Option<TotpDevice> {
    let mut mac = Hmac::<Sha256>::new_from_slice(broker.pairwise_salt.as_bytes()).ok()?;
    mac.update(b"code-device-secret:");
    mac.update(serial.as_bytes());
    let secret = mac.finalize().into_bytes();
    TotpDevice::new(secret[..mitid::totp::SECRET_BYTES].to_vec()).ok()
}

/// The identity holding the code viewer or code reader with this serial, and which it is
/// (activated or not).
pub fn find_code_device(
    broker: &Broker,
    serial: &str,
) -> Result<Option<(Identity, Device)>, StoreError> {
    Ok(broker
        .store
        .identities
        .list()?
        .into_iter()
        .find_map(|identity| {
            let device = identity.authenticators.iter().find_map(|a| match a {
                EnrolledAuthenticator::CodeViewer {
                    serial: Some(s), ..
                } if s == serial => Some(Device::CodeViewer),
                EnrolledAuthenticator::CodeReader {
                    serial: Some(s), ..
                } if s == serial => Some(Device::CodeReader),
                _ => None,
            })?;
            Some((identity, device))
        }))
}

/// Logins waiting for this identity's app (none while its rule is "app times out": the app
/// never sees them).
pub fn app_requests(
    broker: &Broker,
    identity: &Identity,
    now: UnixTime,
) -> Result<Vec<(LoginTxn, AppRequest)>, StoreError> {
    if identity.rule == Some(IdentityRule::AppTimesOut) {
        return Ok(Vec::new());
    }
    Ok(broker
        .store
        .logins
        .list_pending(now)?
        .into_iter()
        .filter(|t| t.flow.identity_id.as_ref() == Some(&identity.id))
        .filter_map(|t| match &t.flow.step {
            Step::App(request) if request.expires_at > now => {
                let request = request.clone();
                Some((t, request))
            }
            _ => None,
        })
        .collect())
}

/// Logins waiting for this identity to touch their chip.
pub fn chip_requests(
    broker: &Broker,
    identity: &Identity,
    now: UnixTime,
) -> Result<Vec<LoginTxn>, StoreError> {
    Ok(broker
        .store
        .logins
        .list_pending(now)?
        .into_iter()
        .filter(|t| t.flow.identity_id.as_ref() == Some(&identity.id) && t.flow.step == Step::Chip)
        .collect())
}

fn device_request(
    broker: &Broker,
    identity: &Identity,
    login: &crate::model::TxnId,
    now: UnixTime,
) -> Result<LoginTxn, DeviceError> {
    let txn = broker
        .store
        .logins
        .get(login)?
        .ok_or(DeviceError::NoRequest)?;
    if txn.status.is_pending() && txn.expires_at <= now {
        return Err(DeviceError::Expired);
    }
    let txn = refresh(broker, txn, now)?;
    if !txn.status.is_pending() || txn.flow.identity_id.as_ref() != Some(&identity.id) {
        return Err(DeviceError::NoRequest);
    }
    if matches!(
        txn.flow.step,
        Step::Failed {
            failure: Failure::ApprovalExpired
        }
    ) {
        return Err(DeviceError::Expired);
    }
    Ok(txn)
}

/// The app's answer to a login waiting for it.
pub fn app_answer(
    broker: &Broker,
    identity: &Identity,
    login: &crate::model::TxnId,
    answer: AppAnswer,
    now: UnixTime,
) -> Result<LoginTxn, DeviceError> {
    if identity.rule == Some(IdentityRule::AppTimesOut) {
        return Err(DeviceError::NoRequest);
    }
    let txn = device_request(broker, identity, login, now)?;
    let Step::App(request) = &txn.flow.step else {
        return Err(DeviceError::NoRequest);
    };
    let verified = match &answer {
        AppAnswer::Reject => {
            let status = rejected(Failure::UserAborted, now);
            return Ok(settle(broker, &txn, &txn.flow, &status)?);
        }
        AppAnswer::Approve { code: None } => true,
        AppAnswer::Approve { code: Some(code) } => {
            secrets::constant_time_eq(code.trim(), &request.code)
        }
        AppAnswer::Scan { binding } => secrets::constant_time_eq(binding, &request.binding),
    };
    if !verified {
        return Err(DeviceError::WrongCode);
    }
    let app = active_app(identity).ok_or(DeviceError::NoRequest)?;
    continue_after_device(broker, identity, &txn, app, now)
}

/// The chip's touch for a login waiting for it.
pub fn chip_touch(
    broker: &Broker,
    identity: &Identity,
    login: &crate::model::TxnId,
    now: UnixTime,
) -> Result<LoginTxn, DeviceError> {
    let txn = device_request(broker, identity, login, now)?;
    if txn.flow.step != Step::Chip {
        return Err(DeviceError::NoRequest);
    }
    continue_after_device(broker, identity, &txn, Authenticator::Chip, now)
}

/// A device proved `used`: the login goes on to CPR match, business identity or approval.
fn continue_after_device(
    broker: &Broker,
    identity: &Identity,
    txn: &LoginTxn,
    used: Authenticator,
    now: UnixTime,
) -> Result<LoginTxn, DeviceError> {
    let ctx = Ctx {
        broker,
        request: &txn.request,
        now,
    };
    let mut flow = txn.flow.clone();
    flow.notice = None;
    flow.used.push(used);
    let next = ctx
        .authenticated(&mut flow, identity)
        .map_err(DeviceError::from)?;
    match next {
        Next::Unchanged => Ok(txn.clone()),
        Next::Continue => broker
            .store
            .logins
            .update_flow(&txn.id, txn.flow.rev, &flow)?
            .ok_or(DeviceError::NoRequest),
        Next::Settle(status) => settle(broker, txn, &flow, &status).map_err(DeviceError::from),
    }
}

/// Blocks one of an identity's devices until `now + seconds` (the control API's "block").
pub fn block(
    broker: &Broker,
    identity: &Identity,
    device: Device,
    seconds: u64,
    now: UnixTime,
) -> Result<UnixTime, StoreError> {
    let mut devices = broker.store.devices.get(&identity.id)?;
    let until = devices.lockout_mut(device).block(
        now,
        &LockoutPolicy {
            max_failures: 1,
            block_seconds: seconds,
        },
    );
    broker.store.devices.put(&identity.id, &devices)?;
    Ok(until)
}

/// Lifts a block and forgets the wrong attempts.
pub fn unblock(broker: &Broker, identity: &Identity, device: Device) -> Result<(), StoreError> {
    let mut devices = broker.store.devices.get(&identity.id)?;
    devices.lockout_mut(device).unblock();
    broker.store.devices.put(&identity.id, &devices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::model::{ClientId, TxnId};
    use crate::server::{build, Storage};
    use crate::Config;
    use std::sync::Arc;

    const T0: UnixTime = 1_790_000_000;

    fn broker() -> (Broker, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(T0));
        let broker = build(
            Config::default(),
            "http://localhost:8080",
            clock.clone(),
            Storage::Memory,
        )
        .unwrap();
        (broker, clock)
    }

    fn request(acr: Option<Level>, idp_values: Vec<Idp>) -> AuthRequest {
        AuthRequest {
            client_id: ClientId::new("demo-mailbox"),
            redirect_uri: "http://localhost:8081/callback".into(),
            response_type: Default::default(),
            response_mode: Default::default(),
            claims: None,
            subject_hint: None,
            state: None,
            nonce: None,
            scopes: vec!["openid".into()],
            code_challenge: None,
            prompt: vec![],
            max_age: None,
            login_hint: None,
            ui_locales: vec![],
            acr,
            idp_values,
            action_text: Default::default(),
            reference_text: None,
        }
    }

    fn park(broker: &Broker, request: AuthRequest) -> LoginTxn {
        super::super::park(broker, request, broker.now()).unwrap()
    }

    fn person(broker: &Broker, user: &str) -> Identity {
        broker
            .store
            .identities
            .by_user_id(&UserId::new(user))
            .unwrap()
            .unwrap()
    }

    fn step_of(broker: &Broker, id: &TxnId) -> Step {
        let txn = broker.store.logins.get(id).unwrap().unwrap();
        refresh(broker, txn, broker.now()).unwrap().flow.step
    }

    #[test]
    fn only_the_ways_that_reach_the_level_are_offered() {
        let (b, _) = broker();
        use Level::{High, Low, Substantial};
        use Method::{App, Chip, CodeViewer, Nemid, Password};
        let cases: &[(&str, Level, Vec<Idp>, Vec<Method>)] = &[
            ("anna", Substantial, vec![], vec![App]),
            ("anna", Low, vec![], vec![App, Password]),
            ("anna", High, vec![], vec![]),
            ("bo", High, vec![], vec![App]),
            ("carl", Substantial, vec![], vec![]),
            ("carl", Low, vec![], vec![Password]),
            ("dorthe", Substantial, vec![], vec![CodeViewer]),
            ("jens", High, vec![], vec![Chip]),
            ("jens", Low, vec![], vec![App, Chip, Password]),
            ("lis", Substantial, vec![Idp::Nemid], vec![Nemid]),
            (
                "lis",
                Substantial,
                vec![Idp::Nemid, Idp::Mitid],
                vec![App, Nemid],
            ),
            ("anna", Substantial, vec![Idp::Nemid], vec![]),
            ("anna", Substantial, vec![Idp::MitidErhverv], vec![]),
            ("ida", Substantial, vec![Idp::MitidErhverv], vec![App]),
        ];
        for (user, level, idps, expected) in cases {
            let offered = offered_methods(&person(&b, user), &request(None, idps.clone()), *level);
            assert_eq!(&offered, expected, "{user} at {level:?} with {idps:?}");
        }
    }

    #[test]
    fn an_app_request_expires_on_the_injected_clock() {
        let (b, clock) = broker();
        let txn = park(&b, request(None, vec![]));
        let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
        assert!(matches!(txn.flow.step, Step::App(_)), "{:?}", txn.flow.step);
        let anna = person(&b, "anna");
        assert_eq!(app_requests(&b, &anna, b.now()).unwrap().len(), 1);

        clock.advance(179);
        assert!(matches!(step_of(&b, &txn.id), Step::App(_)));
        clock.advance(1);
        assert_eq!(
            step_of(&b, &txn.id),
            Step::Failed {
                failure: Failure::ApprovalExpired
            }
        );
        assert!(app_requests(&b, &anna, b.now()).unwrap().is_empty());
        let late = app_answer(
            &b,
            &anna,
            &txn.id,
            AppAnswer::Approve { code: None },
            b.now(),
        );
        assert!(matches!(late, Err(DeviceError::Expired)), "{late:?}");
        // Retrying starts a new request with a new deadline.
        let txn = b.store.logins.get(&txn.id).unwrap().unwrap();
        let txn = submit(&b, &txn, Input::Retry, b.now()).unwrap();
        match &txn.flow.step {
            Step::App(request) => assert_eq!(request.expires_at, b.now() + 180),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_app_checks_the_code_shown_in_the_browser() {
        let (b, _) = broker();
        let txn = park(&b, request(None, vec![]));
        let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
        let Step::App(app) = txn.flow.step.clone() else {
            panic!("{:?}", txn.flow.step)
        };
        let anna = person(&b, "anna");
        let wrong = format!("{:04}", (app.code.parse::<u32>().unwrap() + 1) % 10_000);
        let refused = app_answer(
            &b,
            &anna,
            &txn.id,
            AppAnswer::Approve { code: Some(wrong) },
            b.now(),
        );
        assert!(
            matches!(refused, Err(DeviceError::WrongCode)),
            "{refused:?}"
        );
        // Another person's app cannot answer it.
        let bo = person(&b, "bo");
        let other = app_answer(&b, &bo, &txn.id, AppAnswer::Approve { code: None }, b.now());
        assert!(matches!(other, Err(DeviceError::NoRequest)), "{other:?}");
        let done = app_answer(
            &b,
            &anna,
            &txn.id,
            AppAnswer::Approve {
                code: Some(app.code),
            },
            b.now(),
        )
        .unwrap();
        match done.status {
            LoginStatus::Approved { amr, acr, .. } => {
                assert_eq!(amr, ["code_app"]);
                assert_eq!(acr, Level::Substantial);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_code_is_not_accepted_twice_and_three_wrong_codes_block_until_the_clock_moves() {
        let (b, clock) = broker();
        let dorthe = person(&b, "dorthe");
        let device = code_device(&b, &dorthe, Device::CodeViewer).unwrap();
        let login = |b: &Broker| {
            let txn = park(b, request(None, vec![]));
            submit(b, &txn, Input::UserId("dorthe".into()), b.now()).unwrap()
        };
        let txn = login(&b);
        assert_eq!(txn.flow.step, Step::Code);
        let code = device.current_code(b.now());
        let txn = submit(&b, &txn, Input::Code(code.clone()), b.now()).unwrap();
        assert_eq!(txn.flow.step, Step::Password);

        // The same code again, in the next login: refused as a replay.
        let txn = login(&b);
        let txn = submit(&b, &txn, Input::Code(code.clone()), b.now()).unwrap();
        assert_eq!(
            txn.flow.notice,
            Some(Notice::WrongCode { attempts_left: 2 })
        );
        let txn = submit(&b, &txn, Input::Code("000000x".into()), b.now()).unwrap();
        assert_eq!(
            txn.flow.notice,
            Some(Notice::WrongCode { attempts_left: 1 })
        );
        let txn = submit(&b, &txn, Input::Code("".into()), b.now()).unwrap();
        let blocked_until = T0 + 15 * 60;
        assert_eq!(
            txn.flow.step,
            Step::Failed {
                failure: Failure::AuthenticatorBlocked {
                    device: Device::CodeViewer,
                    until: blocked_until
                }
            }
        );
        // A new login is blocked at once, until the block ends.
        assert!(matches!(login(&b).flow.step, Step::Failed { .. }));
        clock.advance(15 * 60);
        let txn = login(&b);
        assert_eq!(txn.flow.step, Step::Code);
        let txn = submit(&b, &txn, Input::Code(device.current_code(b.now())), b.now()).unwrap();
        assert_eq!(txn.flow.step, Step::Password);
    }

    #[test]
    fn a_key_card_key_is_never_asked_twice() {
        let (b, _) = broker();
        let lis = person(&b, "lis");
        let mut asked = std::collections::BTreeSet::new();
        for round in 0..3 {
            let txn = park(&b, request(None, vec![Idp::Nemid]));
            let txn = submit(&b, &txn, Input::UserId("lis".into()), b.now()).unwrap();
            let txn = submit(&b, &txn, Input::Password("test1234".into()), b.now()).unwrap();
            let Step::KeyCard { key } = txn.flow.step else {
                panic!("{:?}", txn.flow.step)
            };
            assert!(asked.insert(key), "key {key} asked twice (round {round})");
            let card = b.store.devices.get(&lis.id).unwrap().key_card.unwrap();
            let code = card.lines().find(|(k, _)| *k == key).unwrap().1.to_string();
            let answer = if round == 1 {
                "999999x".to_string()
            } else {
                code
            };
            let txn = submit(&b, &txn, Input::Code(answer), b.now()).unwrap();
            if round == 1 {
                // Wrong: that key is spent and another is asked.
                let Step::KeyCard { key: next } = txn.flow.step else {
                    panic!("{:?}", txn.flow.step)
                };
                assert_ne!(next, key);
                assert_eq!(txn.flow.notice, Some(Notice::WrongKeyCardCode));
                let _ = submit(&b, &txn, Input::Cancel, b.now()).unwrap();
            } else {
                match txn.status {
                    LoginStatus::Approved { amr, assurance, .. } => {
                        assert_eq!(amr, ["password", "key_card"]);
                        assert_eq!(assurance.idp, Idp::Nemid);
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn cancel_at_any_step_sends_user_aborted() {
        let (b, _) = broker();
        let txn = park(&b, request(None, vec![]));
        let txn = submit(&b, &txn, Input::UserId("dorthe".into()), b.now()).unwrap();
        let txn = submit(&b, &txn, Input::Cancel, b.now()).unwrap();
        match &txn.status {
            LoginStatus::Rejected { description, .. } => {
                assert_eq!(description, "mitid_user_aborted")
            }
            other => panic!("{other:?}"),
        }
        // Settled: later input changes nothing.
        let again = submit(&b, &txn, Input::Code("123456".into()), b.now()).unwrap();
        assert_eq!(again.status, txn.status);
    }
}
