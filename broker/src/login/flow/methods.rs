//! Which ways of logging in a person is offered: those the client's identity providers allow,
//! the person has, and that reach the required level; the devices each uses.

use rand::Rng;

use crate::clock::UnixTime;
use crate::mitid::{self, simulate, Authenticator};
use crate::model::{
    AppRequest, AuthRequest, Device, EnrolledAuthenticator, Failure, Identity, Idp, Level, Method,
    Step,
};

/// Whether the client lets a person without (or not choosing) a business identity continue
/// with their private MitID: it asked for `mitid` beside `mitid_erhverv`.
pub fn allows_private(request: &AuthRequest) -> bool {
    request.idp_values.is_empty() || request.idp_values.contains(&Idp::Mitid)
}

pub(super) fn switchable(step: &Step) -> bool {
    matches!(
        step,
        Step::Choose
            | Step::App(_)
            | Step::Code
            | Step::Password
            | Step::Chip
            | Step::KeyCard { .. }
            | Step::Failed {
                failure: Failure::AuthenticatorBlocked { .. }
                    | Failure::ApprovalExpired
                    | Failure::AppCodeRefused
                    | Failure::AppRequestReplaced
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

/// The ways among `offered` that a blocked device stops at `now`, with when the block ends.
pub fn blocked_methods(
    broker: &crate::app::Broker,
    identity: &Identity,
    offered: &[Method],
    now: UnixTime,
) -> Result<Vec<(Method, UnixTime)>, crate::store::StoreError> {
    let devices = broker.store.devices.get(&identity.id)?;
    Ok(offered
        .iter()
        .filter_map(|m| {
            devices_of(*m)
                .iter()
                .filter_map(|d| devices.lockout(*d).block_end(now))
                .max()
                .map(|until| (*m, until))
        })
        .collect())
}

/// The authenticators a way of logging in proves, when the identity has them.
pub(super) fn method_authenticators(
    identity: &Identity,
    method: Method,
) -> Option<Vec<Authenticator>> {
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
pub(crate) fn active_app(identity: &Identity) -> Option<Authenticator> {
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
/// providers allow, the person has, and that reach `required`, in MitID's order. A MitID
/// Erhverv login offers MitID's ways to everyone, and a NemID-only login offers NemID to
/// everyone with a password: whether the person has a business identity or NemID is told only
/// after they have authenticated, as in the real flows.
pub fn offered_methods(identity: &Identity, request: &AuthRequest, required: Level) -> Vec<Method> {
    let idps = &request.idp_values;
    let mitid_allowed =
        idps.is_empty() || idps.contains(&Idp::Mitid) || idps.contains(&Idp::MitidErhverv);
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
    let nemid_only = idps.iter().all(|i| *i == Idp::Nemid);
    let nemid_ok = idps.contains(&Idp::Nemid)
        && match &identity.nemid {
            Some(nemid) => nemid.key_card_seed.is_some(),
            None => nemid_only,
        }
        && identity
            .authenticator_kinds()
            .contains(&Authenticator::Password)
        && mitid::loa(identity.ial, simulate::NEMID_AAL) >= required;
    if nemid_ok {
        offered.push(Method::Nemid);
    }
    offered
}

/// The store's count that orders app requests started in the same second of the clock.
pub(super) const APP_REQUEST_ORDER: &str = "app_request_order";

/// A new request to the app, `order`-th of all ([`APP_REQUEST_ORDER`]).
pub(super) fn new_app_request(now: UnixTime, seconds: i64, order: u64) -> AppRequest {
    let mut rng = rand::thread_rng();
    let binding: [u8; 16] = rng.gen();
    AppRequest {
        code: format!("{:04}", rng.gen_range(0..10_000u32)),
        binding: binding.iter().map(|b| format!("{b:02x}")).collect(),
        started_at: now,
        expires_at: now + seconds.max(1),
        wrong_codes: 0,
        scanned: false,
        order,
    }
}
