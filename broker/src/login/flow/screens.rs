//! The screens' transitions: the user ID, choosing a way of logging in, the code, password
//! and key card screens, the business identity, and the approval they add up to.

use super::methods::{
    allows_private, blocked_methods, devices_of, new_app_request, offered_methods, switchable,
    APP_REQUEST_ORDER,
};
use super::{failed, rejected, Ctx, Input, Next, VIA};
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::login::approve::{missing_idp_failure, state_refusal, unknown_user};
use crate::login::devices::{code_device, issue_key_card};
use crate::mitid::{
    self, simulate, Authenticator, FailureOutcome, KeyCard, KeyCheck, LockoutPolicy,
};
use crate::model::{
    Assurance, DecisionSource, Device, DeviceState, Failure, Flow, Identity, IdentityRule, Idp,
    Level, LoginStatus, Method, Notice, Step, UserId,
};

/// A code device's code, as checked.
enum CodeCheck {
    Accepted,
    /// Right, but accepted before.
    Spent,
    Wrong,
}

impl Ctx<'_> {
    pub(super) fn user_id(&self, flow: &mut Flow, text: &str) -> Result<Next, OAuthError> {
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
            flow.step = failed(unknown_user(self.request, String::new()).failure);
            return Ok(Next::Continue);
        };
        flow.identity_id = Some(identity.id.clone());
        flow.user_id = Some(identity.user_id.clone());
        if let Some(refusal) = state_refusal(&identity) {
            flow.step = failed(refusal.failure);
            return Ok(Next::Continue);
        }
        match identity.rule {
            Some(IdentityRule::AlwaysCancels) => {
                return Ok(Next::Settle(rejected(Failure::UserAborted, self.now)))
            }
            Some(IdentityRule::AlwaysApproves) => {
                return Ok(Next::Settle(crate::login::approve::approve(
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
    /// A blocked way is not started again: with only blocked ways left, the block of the first
    /// is shown; with one free way, it starts; with several, the person chooses (the blocked
    /// ones are marked on the choice screen).
    pub(super) fn offer(&self, flow: &mut Flow, identity: &Identity) -> Result<Next, OAuthError> {
        flow.method = None;
        flow.used.clear();
        let offered = offered_methods(identity, self.request, self.required());
        let blocked = blocked_methods(self.broker, identity, &offered, self.now)?;
        let free: Vec<Method> = offered
            .iter()
            .copied()
            .filter(|m| !blocked.iter().any(|(b, _)| b == m))
            .collect();
        match (offered.as_slice(), free.as_slice()) {
            ([], _) => {
                flow.step = failed(self.no_method_failure(identity));
                Ok(Next::Continue)
            }
            (_, []) => self.start(flow, identity, offered[0]),
            (_, [only]) if offered.len() == 1 => self.start(flow, identity, *only),
            _ => {
                flow.step = Step::Choose;
                Ok(Next::Continue)
            }
        }
    }

    pub(super) fn no_method_failure(&self, identity: &Identity) -> Failure {
        missing_idp_failure(identity, &self.request.idp_values)
    }

    pub(super) fn start(
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
                // Counted in the database, so replicas agree on which request is newest.
                u64::try_from(self.broker.store.meta.advance(APP_REQUEST_ORDER, 0, 1)?)
                    .unwrap_or_default(),
            )),
            Method::CodeViewer | Method::CodeReader => Step::Code,
            Method::Chip | Method::Password | Method::Nemid => Step::Password,
        };
        Ok(Next::Continue)
    }

    pub(super) fn with_identity(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        input: Input,
    ) -> Result<Next, OAuthError> {
        match (input, flow.step.clone()) {
            (Input::Choose(method), Step::Choose)
            | (
                Input::Choose(method),
                Step::Failed {
                    failure: Failure::AuthenticatorBlocked { .. },
                },
            ) => self.start(flow, identity, method),
            (Input::Switch, step) if switchable(&step) => self.offer(flow, identity),
            (Input::Retry, Step::Failed { failure }) => match failure {
                Failure::UnknownUser => {
                    flow.step = Step::UserId;
                    Ok(Next::Continue)
                }
                Failure::ApprovalExpired
                | Failure::AppCodeRefused
                | Failure::AppRequestReplaced => self.start(flow, identity, Method::App),
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

    pub(super) fn code(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        code: &str,
    ) -> Result<Next, OAuthError> {
        let (device, kind) = match flow.method {
            Some(Method::CodeViewer) => (Device::CodeViewer, Authenticator::CodeViewer),
            Some(Method::CodeReader) => (Device::CodeReader, Authenticator::CodeReader),
            _ => return Ok(Next::Unchanged),
        };
        let policy = self.broker.config.login.code_lockout;
        let reserved = match self.reserve(identity, device, policy)? {
            Ok(reserved) => reserved,
            Err(blocked) => return Ok(self.blocked(flow, device, blocked)),
        };
        let totp = code_device(self.broker, identity, device)
            .filter(|_| identity.rule != Some(IdentityRule::WrongCode));
        // A code is taken once (RFC 6238 5.2): the step is checked against the last one
        // accepted and written in the same change, so two logins cannot both use it. A code
        // that was right but is spent is not a wrong guess: its attempt is released.
        let checked = self.change_devices(identity, |devices| {
            let step = totp
                .as_ref()
                .and_then(|totp| totp.accepted_step(code.trim(), self.now));
            let fresh = |step: &u64| {
                devices
                    .last_totp_step
                    .get(&device)
                    .is_none_or(|last| step > last)
            };
            Ok(match step {
                Some(step) if fresh(&step) => {
                    devices.lockout_mut(device).succeed(reserved);
                    devices.last_totp_step.insert(device, step);
                    CodeCheck::Accepted
                }
                Some(_) => {
                    devices.lockout_mut(device).release(reserved, &policy);
                    CodeCheck::Spent
                }
                None => CodeCheck::Wrong,
            })
        })?;
        match checked {
            CodeCheck::Accepted => {}
            CodeCheck::Spent => {
                flow.notice = Some(Notice::CodeAlreadyUsed);
                return Ok(Next::Continue);
            }
            CodeCheck::Wrong => {
                return Ok(
                    self.wrong(flow, device, reserved, |left| Notice::WrongCode {
                        attempts_left: left,
                    }),
                );
            }
        }
        flow.used.push(kind);
        flow.step = Step::Password;
        Ok(Next::Continue)
    }

    /// Changes the identity's device state atomically ([`crate::store::change_devices`]).
    fn change_devices<T>(
        &self,
        identity: &Identity,
        change: impl FnMut(&mut DeviceState) -> Result<T, OAuthError>,
    ) -> Result<T, OAuthError> {
        crate::store::change_devices(&*self.broker.store.devices, &identity.id, change)
    }

    /// Counts an attempt at `device` before it is checked (so attempts in parallel cannot
    /// pass the limit): what it will have been if it is wrong, or, when the device is blocked,
    /// the block's end (the attempt is not to be checked).
    fn reserve(
        &self,
        identity: &Identity,
        device: Device,
        policy: LockoutPolicy,
    ) -> Result<Result<FailureOutcome, UnixTime>, OAuthError> {
        self.change_devices(identity, |devices| {
            Ok(
                match devices.lockout_mut(device).reserve(self.now, &policy) {
                    FailureOutcome::StillBlocked { until } => Err(until),
                    reserved => Ok(reserved),
                },
            )
        })
    }

    /// The blocked screen.
    fn blocked(&self, flow: &mut Flow, device: Device, until: UnixTime) -> Next {
        flow.step = failed(Failure::AuthenticatorBlocked { device, until });
        Next::Continue
    }

    /// A wrong attempt, counted when it was reserved: a notice with the attempts left, or the
    /// blocked screen.
    pub(super) fn wrong(
        &self,
        flow: &mut Flow,
        device: Device,
        reserved: FailureOutcome,
        notice: impl Fn(u32) -> Notice,
    ) -> Next {
        match reserved {
            FailureOutcome::Counted { attempts_left } => {
                flow.notice = Some(notice(attempts_left));
                Next::Continue
            }
            FailureOutcome::NowBlocked { until } | FailureOutcome::StillBlocked { until } => {
                self.blocked(flow, device, until)
            }
        }
    }

    pub(super) fn password(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        password: &str,
    ) -> Result<Next, OAuthError> {
        let device = Device::Password;
        let policy = self.broker.config.login.password_lockout;
        let reserved = match self.reserve(identity, device, policy)? {
            Ok(reserved) => reserved,
            Err(blocked) => return Ok(self.blocked(flow, device, blocked)),
        };
        if !identity.verify_password(password) {
            return Ok(
                self.wrong(flow, device, reserved, |left| Notice::WrongPassword {
                    attempts_left: left,
                }),
            );
        }
        self.change_devices(identity, |devices| {
            devices.lockout_mut(device).succeed(reserved);
            Ok(())
        })?;
        flow.used.push(Authenticator::Password);
        match flow.method {
            Some(Method::Chip) => {
                flow.step = Step::Chip;
                Ok(Next::Continue)
            }
            // Whether the person has NemID at all is told only after a right password.
            Some(Method::Nemid) if identity.nemid.is_none() => {
                flow.step = failed(Failure::NemidUnknownUser);
                Ok(Next::Continue)
            }
            Some(Method::Nemid) => {
                let key = self.change_devices(identity, |devices| {
                    Ok(self
                        .key_card_of(identity, devices)?
                        .and_then(|card| card.next_challenge()))
                })?;
                flow.step = match key {
                    Some(key) => Step::KeyCard { key },
                    None => failed(Failure::KeyCardUsedUp),
                };
                Ok(Next::Continue)
            }
            _ => self.authenticated(flow, identity),
        }
    }

    /// The person's key card, made from their seed the first time it is needed.
    pub(super) fn key_card_of<'d>(
        &self,
        identity: &Identity,
        devices: &'d mut DeviceState,
    ) -> Result<Option<&'d mut KeyCard>, OAuthError> {
        if devices.key_card.is_none() {
            devices.key_card = issue_key_card(self.broker, identity, 0)?;
        }
        Ok(devices.key_card.as_mut())
    }

    pub(super) fn key_card(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        key: mitid::KeyNumber,
        code: &str,
    ) -> Result<Next, OAuthError> {
        let device = Device::KeyCard;
        let policy = self.broker.config.login.code_lockout;
        let reserved = match self.reserve(identity, device, policy)? {
            Ok(reserved) => reserved,
            Err(blocked) => return Ok(self.blocked(flow, device, blocked)),
        };
        let wrong_rule = identity.rule == Some(IdentityRule::WrongCode);
        // The key is spent right or wrong (the rule "wrong code" spends it as wrong), in one
        // change with the count, so a key is never accepted twice.
        let checked = self.change_devices(identity, |devices| {
            let Some(card) = self.key_card_of(identity, devices)? else {
                return Ok(None);
            };
            let correct = card.verify(key, code.trim()) == KeyCheck::Correct && !wrong_rule;
            let next_key = card.next_challenge();
            let running_low = card.running_low();
            if correct {
                devices.lockout_mut(device).succeed(reserved);
                if running_low {
                    // The screen said a new card is on its way: it replaces the old one now,
                    // and the card page shows it.
                    devices.key_cards_issued += 1;
                    devices.key_card =
                        issue_key_card(self.broker, identity, devices.key_cards_issued)?;
                }
            }
            Ok(Some((correct, next_key)))
        })?;
        let Some((correct, next_key)) = checked else {
            flow.step = failed(Failure::KeyCardUsedUp);
            return Ok(Next::Continue);
        };
        if correct {
            return self.authenticated(flow, identity);
        }
        let next = self.wrong(flow, device, reserved, |left| Notice::WrongKeyCardCode {
            attempts_left: left,
        });
        if matches!(flow.step, Step::KeyCard { .. }) {
            flow.step = match next_key {
                Some(key) => Step::KeyCard { key },
                None => failed(Failure::KeyCardUsedUp),
            };
        }
        Ok(next)
    }

    pub(super) fn business(
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
    pub(super) fn approve(&self, flow: &mut Flow, identity: &Identity) -> Next {
        let Some(status) = approval(identity, flow, self.required(), self.now) else {
            flow.step = failed(Failure::LevelNotReachable);
            return Next::Continue;
        };
        Next::Settle(status)
    }
}

/// The approval for the authenticators `flow` used, if they reach `required`.
pub(super) fn approval(
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
