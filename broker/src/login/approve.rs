//! An approval as an identity, whoever gave it (any step of the decision ladder): refused when
//! the identity may not log in, cannot use the identity provider the client asked for, or
//! cannot reach the level it asked for; otherwise the login the person is taken to have made
//! ([`mitid::simulate`]) decides `amr`, `aal` and so `acr`.

use crate::clock::UnixTime;
use crate::mitid::{self, simulate};
use crate::model::{
    Assurance, AuthRequest, DecisionSource, Failure, Identity, IdentityStatus, Idp, Level,
    LoginStatus,
};

/// An approval as `identity`, or the refusal that replaces it (`access_denied` at the client,
/// with the reason as its description).
pub fn approve(
    identity: &Identity,
    request: &AuthRequest,
    required: Level,
    decided_by: DecisionSource,
    now: UnixTime,
) -> LoginStatus {
    match authenticate(identity, request, required) {
        Ok((assurance, amr)) => LoginStatus::Approved {
            identity_id: identity.id.clone(),
            user_id: identity.user_id.clone(),
            acr: assurance.loa(),
            amr,
            business: simulated_business(identity, assurance.idp),
            assurance,
            decided_by,
            decided_at: now,
        },
        Err(description) => reject(Some(description), decided_by, now),
    }
}

/// The business identity a simulated MitID Erhverv login chooses: the person's first, the one
/// the business screen offers first (through the screens, a MitID Erhverv login always ends
/// with one chosen).
fn simulated_business(identity: &Identity, idp: Idp) -> Option<String> {
    (idp == Idp::MitidErhverv)
        .then(|| identity.business.first())
        .flatten()
        .map(|b| b.professional_uuid.clone())
}

pub fn reject(
    description: Option<String>,
    decided_by: DecisionSource,
    now: UnixTime,
) -> LoginStatus {
    LoginStatus::Rejected {
        description: description.unwrap_or_else(|| Failure::UserAborted.code().into()),
        decided_by,
        decided_at: now,
    }
}

/// The assurance and `amr` of the login `identity` makes for `request`, or why it cannot.
fn authenticate(
    identity: &Identity,
    request: &AuthRequest,
    required: Level,
) -> Result<(Assurance, Vec<String>), String> {
    let user = &identity.user_id;
    match identity.status {
        IdentityStatus::Active => {}
        IdentityStatus::Suspended => {
            return Err(format!(
                "the identity {user} is suspended: its MitID is blocked until it is reactivated"
            ))
        }
        IdentityStatus::Revoked => {
            return Err(format!(
                "the identity {user} is revoked: its MitID can no longer log in"
            ))
        }
    }
    let idp = choose_idp(identity, &request.idp_values)?;
    let (aal, amr) = match idp {
        Idp::Nemid => (
            simulate::NEMID_AAL,
            simulate::NEMID_AMR.iter().map(|s| s.to_string()).collect(),
        ),
        Idp::Mitid | Idp::MitidErhverv => {
            let login = mitid::strongest_login(&identity.authenticator_kinds())
                .ok_or_else(|| format!("the identity {user} has no authenticator to log in with (it needs the app or a password)"))?;
            (login.aal, login.amr())
        }
    };
    let assurance = Assurance {
        idp,
        ial: identity.ial,
        aal,
    };
    if assurance.loa() < required {
        return Err(format!(
            "the identity {user} cannot authenticate at the requested level: it reaches {} \
             (ial {}, aal {})",
            name(assurance.loa()),
            name(assurance.ial),
            name(assurance.aal)
        ));
    }
    Ok((assurance, amr))
}

/// The first identity provider the client asked for that the person has; MitID when it asked
/// for none.
pub fn choose_idp(identity: &Identity, requested: &[Idp]) -> Result<Idp, String> {
    if requested.is_empty() {
        return Ok(Idp::Mitid);
    }
    requested
        .iter()
        .copied()
        .find(|idp| match idp {
            Idp::Mitid => true,
            Idp::MitidErhverv => !identity.business.is_empty(),
            Idp::Nemid => identity.nemid.is_some(),
        })
        .ok_or_else(|| {
            let asked: Vec<&str> = requested.iter().map(|i| i.as_str()).collect();
            format!(
                "the identity {} has none of the requested identity providers ({})",
                identity.user_id,
                asked.join(", ")
            )
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
            LoginStatus::Rejected { description, .. } => Err(description),
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
        assert!(refused.contains("requested level"), "{refused}");
    }

    #[test]
    fn an_inactive_identity_is_refused_whatever_it_could_reach() {
        for (status, word) in [
            (IdentityStatus::Suspended, "suspended"),
            (IdentityStatus::Revoked, "revoked"),
        ] {
            let mut p = person(vec![APP]);
            p.status = status;
            let refused = outcome(&p, &request(None, vec![])).unwrap_err();
            assert!(refused.contains(word), "{refused}");
        }
    }

    #[test]
    fn an_identity_without_app_or_password_is_refused() {
        let p = person(vec![EnrolledAuthenticator::Chip { serial: None }]);
        assert!(outcome(&p, &request(None, vec![])).is_err());
    }

    #[test]
    fn the_first_requested_idp_the_person_has_is_used() {
        let mut p = person(vec![APP]);
        assert_eq!(choose_idp(&p, &[]), Ok(Idp::Mitid));
        assert!(choose_idp(&p, &[Idp::MitidErhverv]).is_err());
        assert_eq!(
            choose_idp(&p, &[Idp::MitidErhverv, Idp::Mitid]),
            Ok(Idp::Mitid)
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
            Ok(Idp::MitidErhverv)
        );
        assert!(choose_idp(&p, &[Idp::Nemid]).is_err());
        p.nemid = Some(NemId {
            pid: "9208-2002-2-000000000001".into(),
            key_card_seed: Some(1),
        });
        assert_eq!(choose_idp(&p, &[Idp::Nemid]), Ok(Idp::Nemid));
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
