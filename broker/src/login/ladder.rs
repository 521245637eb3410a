//! The decision ladder (DESIGN.md, "Deciding a login"): the first source with an opinion
//! settles a parked login. Step 1, a decision aimed at the login, comes later through
//! [`super::decide`]; this module runs steps 2 to 5 when the login is parked.

use super::approve::{approve, approve_as, refuse, reject, unknown_user};
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::model::{
    AuthRequest, DecisionOutcome, DecisionSource, Device, Failure, IdentityId, IdentityRule,
    LoginStatus, Simulation, UserId,
};
use crate::store::StoreError;

/// NEB's error for a simulated login naming nobody (brokers.md, "NEB").
pub const SIMULATION_UNKNOWN_USER: &str = "mitid_simulation_unknown_user";

/// Steps 2-5. `None`: nobody has an opinion, so the login waits for a person (or step 1).
pub fn decide_automatically(
    broker: &Broker,
    request: &AuthRequest,
    now: UnixTime,
) -> Result<Option<LoginStatus>, StoreError> {
    let store = &broker.store;
    let required = broker.required_level(request);
    let hinted_user = request.login_hint.as_ref().map(UserId::new);
    let hinted = match &hinted_user {
        Some(u) => store.identities.by_user_id(u)?,
        None => None,
    };

    // 2. A queued decision, consumed once, filtered by client or identity.
    if let Some(queued) = store
        .decisions
        .take_matching(&request.client_id, hinted_user.as_ref())?
    {
        let source = DecisionSource::Queued {
            decision_id: queued.id.clone(),
        };
        return Ok(Some(match queued.outcome {
            DecisionOutcome::Approve { user_id, business } => {
                let user = user_id
                    .or(hinted_user.clone())
                    .unwrap_or_else(|| UserId::new(broker.config.default_user_id.clone()));
                match store.identities.by_user_id(&user)? {
                    Some(identity) => approve_as(
                        &identity,
                        request,
                        required,
                        business.as_deref(),
                        source,
                        now,
                    ),
                    None => refuse(
                        unknown_user(
                            request,
                            format!("the queued decision names no test identity ({user})"),
                        ),
                        source,
                        now,
                    ),
                }
            }
            DecisionOutcome::Reject { description } => reject(description, source, now),
        }));
    }

    // 3. The request itself: NEB's simulation parameter, whatever the instance default...
    if let Some(simulation) = &request.simulation {
        let source = DecisionSource::Simulation {
            person: simulation.to_string(),
        };
        let identity = match simulation {
            Simulation::UserId(user) => store.identities.by_user_id(user)?,
            Simulation::Uuid(uuid) => store.identities.get(&IdentityId::new(uuid.as_str()))?,
            Simulation::Cpr(cpr) => store
                .identities
                .list()?
                .into_iter()
                .find(|i| i.cpr.is_some_and(|c| c.to_digits() == *cpr)),
        };
        return Ok(Some(match identity {
            Some(identity) => approve(&identity, request, required, source, now),
            None => reject(Some(SIMULATION_UNKNOWN_USER.into()), source, now),
        }));
    }
    let auto = broker.config.auto_approve;
    // ... or its login_hint, in auto-approve mode.
    if auto {
        if let Some(user) = &hinted_user {
            let source = DecisionSource::LoginHint {
                user_id: user.clone(),
            };
            return Ok(Some(match &hinted {
                Some(identity) => approve(identity, request, required, source, now),
                None => refuse(
                    unknown_user(
                        request,
                        format!("login_hint names no test identity ({user})"),
                    ),
                    source,
                    now,
                ),
            }));
        }
    }

    // 4. A rule on the identity: the hinted one, or in auto-approve mode the default one.
    let identity = match hinted {
        Some(identity) => Some(identity),
        None if auto => store
            .identities
            .by_user_id(&UserId::new(broker.config.default_user_id.clone()))?,
        None => None,
    };
    if let Some(identity) = &identity {
        if let Some(rule) = identity.rule {
            let source = DecisionSource::IdentityRule {
                user_id: identity.user_id.clone(),
            };
            return Ok(Some(match rule {
                IdentityRule::AlwaysApproves => approve(identity, request, required, source, now),
                IdentityRule::AlwaysCancels => {
                    reject(Some(Failure::UserAborted.code().into()), source, now)
                }
                IdentityRule::Locked => {
                    reject(Some(Failure::IdentityLocked.code().into()), source, now)
                }
                IdentityRule::AppTimesOut => {
                    reject(Some(Failure::ApprovalExpired.code().into()), source, now)
                }
                IdentityRule::WrongCode => reject(
                    Some(
                        Failure::AuthenticatorBlocked {
                            device: Device::CodeViewer,
                            until: now,
                        }
                        .code()
                        .into(),
                    ),
                    source,
                    now,
                ),
            }));
        }
    }

    // 5. The instance default.
    if auto {
        return Ok(Some(match &identity {
            Some(identity) => approve(
                identity,
                request,
                required,
                DecisionSource::InstanceDefault,
                now,
            ),
            None => refuse(
                unknown_user(
                    request,
                    format!(
                        "auto-approve has no default identity ({} does not exist)",
                        broker.config.default_user_id
                    ),
                ),
                DecisionSource::InstanceDefault,
                now,
            ),
        }));
    }
    Ok(None)
}
