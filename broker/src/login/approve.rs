//! An approval as an identity, whoever gave it (any step of the decision ladder): refused when
//! the identity may not log in, cannot use the identity provider the client asked for, or
//! cannot reach the level it asked for; otherwise the login the person is taken to have made
//! ([`mitid::simulate`]) decides `amr`, `aal` and so `acr`.

use crate::clock::UnixTime;
use crate::login::flow::allows_private;
use crate::mitid::{self, simulate};
use crate::model::{
    Assurance, AuthRequest, DecisionSource, Failure, Identity, IdentityRule, IdentityStatus, Idp,
    Level, LoginStatus,
};

/// An approval as `identity`, or the refusal that replaces it: `access_denied` at the client
/// with the failure's code, the same code the screens give for the same person (the README's
/// failure table), and the human detail kept for `explain` and the log.
pub fn approve(
    identity: &Identity,
    request: &AuthRequest,
    required: Level,
    decided_by: DecisionSource,
    now: UnixTime,
) -> LoginStatus {
    approve_as(identity, request, required, None, decided_by, now)
}

/// [`approve`], choosing the business identity as the business screen would: `business` is
/// a professional UUID or CVR number of the person's, or `private` (when the client allows a
/// private MitID); `None` takes the first. Only a login that asks for MitID Erhverv chooses.
pub fn approve_as(
    identity: &Identity,
    request: &AuthRequest,
    required: Level,
    business: Option<&str>,
    decided_by: DecisionSource,
    now: UnixTime,
) -> LoginStatus {
    match authenticate(identity, request, required, business) {
        Ok((assurance, amr, business)) => LoginStatus::Approved {
            identity_id: identity.id.clone(),
            user_id: identity.user_id.clone(),
            acr: assurance.loa(),
            amr,
            business,
            assurance,
            decided_by,
            decided_at: now,
        },
        Err(refusal) => refuse(refusal, decided_by, now),
    }
}

/// A refusal as the login's end: the failure's code for the client, the words for `explain`
/// and the log.
pub fn refuse(refusal: Refusal, decided_by: DecisionSource, now: UnixTime) -> LoginStatus {
    let Refusal { failure, detail } = refusal;
    tracing::info!(code = failure.code(), "login refused: {detail}");
    LoginStatus::Rejected {
        description: failure.code().into(),
        detail: Some(detail),
        decided_by,
        decided_at: now,
    }
}

/// A decision names a user ID no identity has: what the user-ID screen says to a person who
/// types one (NemID's code when only NemID was asked for).
pub fn unknown_user(request: &AuthRequest, detail: String) -> Refusal {
    let nemid_only =
        !request.idp_values.is_empty() && request.idp_values.iter().all(|i| *i == Idp::Nemid);
    let failure = if nemid_only {
        Failure::NemidUnknownUser
    } else {
        Failure::UnknownUser
    };
    Refusal::new(failure, detail)
}

/// The identity provider and business identity a simulated login ends with, from the one
/// [`choose_idp`] chose and the decision's `business`: none named takes the person's first
/// business identity, the one the business screen offers first (through the screens, a MitID
/// Erhverv login always ends with one chosen); `private` continues as private MitID where the
/// client allows it; a professional UUID or CVR number chooses that one.
fn simulated_business(
    identity: &Identity,
    request: &AuthRequest,
    idp: Idp,
    business: Option<&str>,
) -> Result<(Idp, Option<String>), Refusal> {
    let user = &identity.user_id;
    let asks_erhverv = request.idp_values.contains(&Idp::MitidErhverv);
    match business {
        _ if !asks_erhverv || idp == Idp::Nemid => Ok((idp, None)),
        Some("private") if allows_private(request) => Ok((Idp::Mitid, None)),
        Some("private") => Err(Refusal::new(
            Failure::NoBusinessIdentity,
            format!("the decision chose private MitID for {user}, and the client asked for MitID Erhverv only"),
        )),
        Some(chosen) => identity
            .business
            .iter()
            .find(|b| b.professional_uuid == chosen || b.cvr == chosen)
            .map(|b| (Idp::MitidErhverv, Some(b.professional_uuid.clone())))
            .ok_or_else(|| {
                Refusal::new(
                    Failure::NoBusinessIdentity,
                    format!("the identity {user} has no business identity {chosen}"),
                )
            }),
        None => Ok((
            idp,
            (idp == Idp::MitidErhverv)
                .then(|| identity.business.first())
                .flatten()
                .map(|b| b.professional_uuid.clone()),
        )),
    }
}

pub fn reject(
    description: Option<String>,
    decided_by: DecisionSource,
    now: UnixTime,
) -> LoginStatus {
    LoginStatus::Rejected {
        description: description.unwrap_or_else(|| Failure::UserAborted.code().into()),
        detail: None,
        decided_by,
        decided_at: now,
    }
}

/// Why an identity cannot log in: the failure (its code goes to the client) and a sentence
/// for people (`explain`, the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub failure: Failure,
    pub detail: String,
}

impl Refusal {
    pub fn new(failure: Failure, detail: String) -> Self {
        Self { failure, detail }
    }
}

/// The refusal, if any, that an identity's state gives before any authenticator is tried:
/// revoked, or suspended or locked by a rule. The screens refuse the same at the user ID.
pub fn state_refusal(identity: &Identity) -> Option<Refusal> {
    let user = &identity.user_id;
    match (identity.status, identity.rule) {
        (IdentityStatus::Revoked, _) => Some(Refusal::new(
            Failure::IdentityRevoked,
            format!("the identity {user} is revoked: its MitID can no longer log in"),
        )),
        (IdentityStatus::Suspended, _) => Some(Refusal::new(
            Failure::IdentityLocked,
            format!(
                "the identity {user} is suspended: its MitID is blocked until it is reactivated"
            ),
        )),
        (_, Some(IdentityRule::Locked)) => Some(Refusal::new(
            Failure::IdentityLocked,
            format!("the identity {user} has the rule locked"),
        )),
        _ => None,
    }
}

/// The failure when the person has none of the identity providers the client asked for:
/// MitID Erhverv only and no business identity, NemID only and no NemID; otherwise the
/// level (no way of logging in reaches it). The screens use the same, after authentication.
pub fn missing_idp_failure(identity: &Identity, requested: &[Idp]) -> Failure {
    let only = |idp: Idp| !requested.is_empty() && requested.iter().all(|i| *i == idp);
    if only(Idp::MitidErhverv) && identity.business.is_empty() {
        Failure::NoBusinessIdentity
    } else if only(Idp::Nemid) && identity.nemid.is_none() {
        Failure::NemidUnknownUser
    } else {
        Failure::LevelNotReachable
    }
}

/// The assurance and `amr` of the login `identity` makes for `request`, or why it cannot.
fn authenticate(
    identity: &Identity,
    request: &AuthRequest,
    required: Level,
    business: Option<&str>,
) -> Result<(Assurance, Vec<String>, Option<String>), Refusal> {
    let user = &identity.user_id;
    if let Some(refusal) = state_refusal(identity) {
        return Err(refusal);
    }
    let idp = choose_idp(identity, &request.idp_values).ok_or_else(|| {
        let asked: Vec<&str> = request.idp_values.iter().map(|i| i.as_str()).collect();
        Refusal::new(
            missing_idp_failure(identity, &request.idp_values),
            format!(
                "the identity {user} has none of the requested identity providers ({})",
                asked.join(", ")
            ),
        )
    })?;
    let (idp, business) = simulated_business(identity, request, idp, business)?;
    let (aal, amr) = match idp {
        Idp::Nemid => (
            simulate::NEMID_AAL,
            simulate::NEMID_AMR.iter().map(|s| s.to_string()).collect(),
        ),
        Idp::Mitid | Idp::MitidErhverv => {
            let login =
                mitid::strongest_login(&identity.authenticator_kinds()).ok_or_else(|| {
                    Refusal::new(
                        Failure::LevelNotReachable,
                        format!(
                            "the identity {user} has no authenticator to log in with \
                         (it needs the app or a password)"
                        ),
                    )
                })?;
            (login.aal, login.amr())
        }
    };
    let assurance = Assurance {
        idp,
        ial: identity.ial,
        aal,
    };
    if assurance.loa() < required {
        return Err(Refusal::new(
            Failure::LevelNotReachable,
            format!(
                "the identity {user} cannot authenticate at the requested level {}: it reaches \
                 {} (ial {}, aal {})",
                name(required),
                name(assurance.loa()),
                name(assurance.ial),
                name(assurance.aal)
            ),
        ));
    }
    Ok((assurance, amr, business))
}

/// The first identity provider the client asked for that the person has; MitID when it asked
/// for none.
pub fn choose_idp(identity: &Identity, requested: &[Idp]) -> Option<Idp> {
    if requested.is_empty() {
        return Some(Idp::Mitid);
    }
    requested.iter().copied().find(|idp| match idp {
        Idp::Mitid => true,
        Idp::MitidErhverv => !identity.business.is_empty(),
        Idp::Nemid => identity.nemid.is_some(),
    })
}

fn name(level: Level) -> &'static str {
    match level {
        Level::Low => "low",
        Level::Substantial => "substantial",
        Level::High => "high",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        BusinessIdentity, BusinessRole, ClientId, EnrolledAuthenticator, IdentityId, NemId, UserId,
    };

    fn person(authenticators: Vec<EnrolledAuthenticator>) -> Identity {
        let mut p = Identity::new(
            IdentityId::new("00000000-0000-4000-8000-00000000000a"),
            UserId::new("p"),
            "P",
            "Q",
        );
        p.authenticators = authenticators;
        p
    }

    fn request(acr: Option<Level>, idp_values: Vec<Idp>) -> AuthRequest {
        AuthRequest {
            profile: Default::default(),
            dialect_scopes: Vec::new(),
            simulation: None,
            client_id: ClientId::new("c"),
            redirect_uri: "https://c.example/cb".into(),
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

    fn outcome(identity: &Identity, request: &AuthRequest) -> Result<(Level, Vec<String>), String> {
        let required = request.acr.unwrap_or(Level::Low);
        match approve(
            identity,
            request,
            required,
            DecisionSource::InstanceDefault,
            0,
        ) {
            LoginStatus::Approved { acr, amr, .. } => Ok((acr, amr)),
            LoginStatus::Rejected {
                description,
                detail,
                ..
            } => Err(format!("{description}: {}", detail.unwrap_or_default())),
            LoginStatus::Pending => Err("pending".into()),
        }
    }

    const APP: EnrolledAuthenticator = EnrolledAuthenticator::App {
        enrolled_at_high: false,
        pending_activation: None,
    };

    #[test]
    fn an_approval_simulates_the_strongest_login() {
        let p = person(vec![
            EnrolledAuthenticator::Password { hash: None },
            EnrolledAuthenticator::CodeViewer {
                serial: None,
                pending_activation: None,
            },
        ]);
        assert_eq!(
            outcome(&p, &request(None, vec![])),
            Ok((
                Level::Substantial,
                vec!["code_token".to_string(), "password".to_string()]
            ))
        );
    }

    #[test]
    fn acr_is_capped_by_ial() {
        let mut p = person(vec![EnrolledAuthenticator::App {
            enrolled_at_high: true,
            pending_activation: None,
        }]);
        p.ial = Level::Substantial;
        let r = request(None, vec![]);
        match approve(&p, &r, Level::Low, DecisionSource::InstanceDefault, 0) {
            LoginStatus::Approved { acr, assurance, .. } => {
                assert_eq!(acr, Level::Substantial);
                assert_eq!(assurance.aal, Level::High);
                assert_eq!(assurance.ial, Level::Substantial);
            }
            other => panic!("{other:?}"),
        }
        let refused = outcome(&p, &request(Some(Level::High), vec![])).unwrap_err();
        assert!(
            refused.starts_with("mitid_level_not_reachable: ") && refused.contains("level high"),
            "{refused}"
        );
    }

    #[test]
    fn an_inactive_identity_is_refused_whatever_it_could_reach() {
        for (status, rule, code) in [
            (IdentityStatus::Suspended, None, "mitid_identity_locked"),
            (IdentityStatus::Revoked, None, "mitid_identity_revoked"),
            (
                IdentityStatus::Active,
                Some(IdentityRule::Locked),
                "mitid_identity_locked",
            ),
        ] {
            let mut p = person(vec![APP]);
            p.status = status;
            p.rule = rule;
            let refused = outcome(&p, &request(None, vec![])).unwrap_err();
            assert!(refused.starts_with(&format!("{code}: ")), "{refused}");
        }
    }

    #[test]
    fn an_identity_without_app_or_password_is_refused() {
        let p = person(vec![EnrolledAuthenticator::Chip { serial: None }]);
        let refused = outcome(&p, &request(None, vec![])).unwrap_err();
        assert!(
            refused.starts_with("mitid_level_not_reachable: "),
            "{refused}"
        );
    }

    #[test]
    fn the_first_requested_idp_the_person_has_is_used() {
        let mut p = person(vec![APP]);
        assert_eq!(choose_idp(&p, &[]), Some(Idp::Mitid));
        assert_eq!(choose_idp(&p, &[Idp::MitidErhverv]), None);
        assert_eq!(
            missing_idp_failure(&p, &[Idp::MitidErhverv]),
            Failure::NoBusinessIdentity
        );
        assert_eq!(
            choose_idp(&p, &[Idp::MitidErhverv, Idp::Mitid]),
            Some(Idp::Mitid)
        );
        p.business.push(BusinessIdentity {
            cvr: "12345678".into(),
            organisation_name: "Firma".into(),
            role: BusinessRole::Employee,
            rid: None,
            professional_uuid: "u".into(),
        });
        assert_eq!(
            choose_idp(&p, &[Idp::MitidErhverv, Idp::Mitid]),
            Some(Idp::MitidErhverv)
        );
        assert_eq!(choose_idp(&p, &[Idp::Nemid]), None);
        assert_eq!(
            missing_idp_failure(&p, &[Idp::Nemid]),
            Failure::NemidUnknownUser
        );
        assert_eq!(
            missing_idp_failure(&p, &[Idp::Nemid, Idp::MitidErhverv]),
            Failure::LevelNotReachable
        );
        p.nemid = Some(NemId {
            pid: "9208-2002-2-000000000001".into(),
            key_card_seed: Some(1),
        });
        assert_eq!(choose_idp(&p, &[Idp::Nemid]), Some(Idp::Nemid));
    }

    #[test]
    fn a_simulated_mitid_erhverv_login_chooses_the_first_business_identity() {
        let mut p = person(vec![APP]);
        for (cvr, uuid) in [("12345678", "first"), ("87654321", "second")] {
            p.business.push(BusinessIdentity {
                cvr: cvr.into(),
                organisation_name: "Firma".into(),
                role: BusinessRole::Employee,
                rid: None,
                professional_uuid: uuid.into(),
            });
        }
        let business = |idp_values: Vec<Idp>| match approve(
            &p,
            &request(None, idp_values),
            Level::Low,
            DecisionSource::InstanceDefault,
            0,
        ) {
            LoginStatus::Approved {
                business,
                assurance,
                ..
            } => (assurance.idp, business),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            business(vec![Idp::MitidErhverv]),
            (Idp::MitidErhverv, Some("first".into()))
        );
        // A private login chooses none.
        assert_eq!(
            business(vec![Idp::Mitid, Idp::MitidErhverv]),
            (Idp::Mitid, None)
        );
        assert_eq!(business(vec![]), (Idp::Mitid, None));
    }

    #[test]
    fn a_nemid_login_is_password_and_key_card_at_substantial() {
        let mut p = person(vec![EnrolledAuthenticator::Password { hash: None }]);
        p.nemid = Some(NemId {
            pid: "9208-2002-2-000000000001".into(),
            key_card_seed: None,
        });
        assert_eq!(
            outcome(&p, &request(None, vec![Idp::Nemid])),
            Ok((
                Level::Substantial,
                vec!["password".to_string(), "key_card".to_string()]
            ))
        );
    }
}
