//! The simulated devices' side of a login: the requests waiting for a person's app or chip,
//! their answers (which move the login on through `flow::device_proved`), what a code viewer
//! or code reader shows, the key card, and blocking a device. The devices' secrets are
//! derived, never stored ([`secrets`]).

pub mod secrets;

pub use secrets::{code_device, device_for_serial, issue_key_card};

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::error::OAuthError;
use crate::login::flow;
use crate::mitid::{Authenticator, LockoutPolicy};
use crate::model::{
    ActivationState, AppRequest, Device, EnrolledAuthenticator, Failure, Identity, IdentityRule,
    LoginTxn, Notice, Step,
};
use crate::secrets::constant_time_eq;
use crate::store::change_devices;
use crate::store::StoreError;

/// How the simulated app answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppAnswer {
    /// Approve after typing the 4-digit code the browser shows; `None` only from the control
    /// API, which may approve without it.
    Approve {
        code: Option<String>,
    },
    /// Scan the QR code: the two frames' halves of the channel binding. A scan that matches
    /// shows the request in the app, which still waits for the swipe ([`AppAnswer::Swipe`]).
    Scan {
        binding: String,
    },
    /// Swipe to approve a request the app scanned.
    Swipe,
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

/// The login waiting for this identity's app: the newest request, as the real app shows one at
/// a time (a newer one replaces the older, whose login page says so; `flow::refresh`). None
/// while the rule is "app times out": the app never sees them.
pub fn app_request(
    broker: &Broker,
    identity: &Identity,
    now: UnixTime,
) -> Result<Option<(LoginTxn, AppRequest)>, StoreError> {
    if identity.rule == Some(IdentityRule::AppTimesOut) {
        return Ok(None);
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
        .max_by(|(a, ra), (b, rb)| {
            (ra.age_key(), a.id.as_str()).cmp(&(rb.age_key(), b.id.as_str()))
        }))
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
    let txn = flow::refresh(broker, txn, now)?;
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
            return Ok(flow::abort(broker, &txn, now)?);
        }
        AppAnswer::Approve { code: None } => true,
        AppAnswer::Approve { code: Some(code) } => constant_time_eq(code.trim(), &request.code),
        AppAnswer::Scan { binding } => {
            if !constant_time_eq(binding, &request.binding) {
                return Err(DeviceError::WrongCode);
            }
            let mut flow = txn.flow.clone();
            flow.step = Step::App(AppRequest {
                scanned: true,
                ..request.clone()
            });
            return flow::write_flow(broker, &txn, flow, now)?.ok_or(DeviceError::NoRequest);
        }
        AppAnswer::Swipe => request.scanned,
    };
    if !verified {
        if matches!(answer, AppAnswer::Approve { code: Some(_) }) {
            count_wrong_app_code(broker, &txn, request, now)?;
        }
        return Err(DeviceError::WrongCode);
    }
    let app = flow::active_app(identity).ok_or(DeviceError::NoRequest)?;
    flow::device_proved(broker, identity, &txn, app, now)?.ok_or(DeviceError::NoRequest)
}

/// A wrong code typed in the app: the login page says so, and after
/// [`AppRequest::MAX_WRONG_CODES`] the app refuses the request (the login page offers a new
/// one). Written only if nobody changed the login meanwhile; a lost write was a concurrent
/// answer, which stands.
fn count_wrong_app_code(
    broker: &Broker,
    txn: &LoginTxn,
    request: &AppRequest,
    now: UnixTime,
) -> Result<(), DeviceError> {
    let mut flow = txn.flow.clone();
    let wrong = request.wrong_codes + 1;
    let left = AppRequest::MAX_WRONG_CODES.saturating_sub(wrong);
    if left == 0 {
        flow.step = Step::Failed {
            failure: Failure::AppCodeRefused,
        };
        flow.notice = None;
    } else {
        flow.step = Step::App(AppRequest {
            wrong_codes: wrong,
            ..request.clone()
        });
        flow.notice = Some(Notice::AppWrongCode {
            attempts_left: left,
        });
    }
    flow::write_flow(broker, txn, flow, now)?;
    Ok(())
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
    flow::device_proved(broker, identity, &txn, Authenticator::Chip, now)?
        .ok_or(DeviceError::NoRequest)
}

/// Blocks one of an identity's devices until `now + seconds` (the control API's "block").
pub fn block(
    broker: &Broker,
    identity: &Identity,
    device: Device,
    seconds: u64,
    now: UnixTime,
) -> Result<UnixTime, StoreError> {
    let policy = LockoutPolicy {
        max_failures: 1,
        block_seconds: seconds,
    };
    change_devices(&*broker.store.devices, &identity.id, |devices| {
        Ok(devices.lockout_mut(device).block(now, &policy))
    })
}

/// Lifts a block and forgets the wrong attempts.
pub fn unblock(broker: &Broker, identity: &Identity, device: Device) -> Result<(), StoreError> {
    change_devices(&*broker.store.devices, &identity.id, |devices| {
        devices.lockout_mut(device).unblock();
        Ok(())
    })
}

/// The current code of a code device, how long it lasts, and whether the device is blocked.
pub struct CodeReading {
    pub identity: Identity,
    pub device: Device,
    pub code: String,
    pub seconds_left: u64,
    pub blocked_until: Option<i64>,
    /// Whether the device is activated (it shows no code until it is).
    pub activation: ActivationState,
}

/// Reads the code device with this serial at `now`; `None` when no identity holds it.
pub fn read_code_device(
    broker: &Broker,
    serial: &str,
    now: i64,
) -> Result<Option<CodeReading>, OAuthError> {
    let Some((identity, device)) = find_code_device(broker, serial)? else {
        return Ok(None);
    };
    let Some(totp) = device_for_serial(broker, serial) else {
        return Err(OAuthError::server_error(
            "the code device could not be set up",
        ));
    };
    let blocked_until = broker
        .store
        .devices
        .get(&identity.id)?
        .lockout(device)
        .block_end(now);
    let activation = identity
        .code_device_state(serial)
        .unwrap_or(ActivationState::Active);
    Ok(Some(CodeReading {
        activation,
        code: totp.current_code(now),
        seconds_left: totp.seconds_left(now),
        identity,
        device,
        blocked_until,
    }))
}

/// The person's current key card (made on first use) and how many replaced it before.
pub fn key_card_of(
    broker: &Broker,
    identity: &Identity,
) -> Result<Option<(crate::mitid::KeyCard, u64)>, OAuthError> {
    let devices = broker.store.devices.get(&identity.id)?;
    if devices.key_card.is_some() {
        return Ok(devices.key_card.map(|c| (c, devices.key_cards_issued)));
    }
    change_devices(&*broker.store.devices, &identity.id, |devices| {
        if devices.key_card.is_none() {
            devices.key_card = issue_key_card(broker, identity, 0)?;
        }
        Ok(devices
            .key_card
            .clone()
            .map(|c| (c, devices.key_cards_issued)))
    })
}
