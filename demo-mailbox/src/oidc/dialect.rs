//! The broker's dialects ("profiles"): what the mailbox asks for at each, and how it reads the
//! person out of each one's claims. One table per profile, and one reader for all of them; the
//! rest of the relying party (discovery, PKCE, nonce, the ID token's signature, `iss`, `aud`,
//! `exp`, `at_hash`, userinfo's `sub`) is the same everywhere.
//!
//! | | scopes (besides `openid`) | level asked | MitID Erhverv offered | CPR | name | level read |
//! |---|---|---|---|---|---|---|
//! | `standard` | `profile ssn nemlogin` | `acr_values` NSIS URI | `idp_values=mitid mitid_erhverv` | `dk.cpr` | `name` | `acr` |
//! | `neb` | `mitid ssn nemlogin` | `idp_params` `{"mitid":{"loa_value":"substantial"}}` | `idp_values=mitid mitid_erhverv` | `dk.cpr` | `mitid.identity_name` | `acr` |
//! | `idura` | `ssn` | `acr_values=urn:grn:authn:dk:mitid:substantial` | `login_hint=business_optional` | `cprNumberIdentifier` | `name` | `loA` |
//! | `signicat` | `profile nin idp-id mitid-extra` | `acr_values=idp:mitid loa:substantial` | – | `nin` | `name` | `acr` |
//!
//! The business of a MitID Erhverv login: `nemlogin.cvr`, `nemlogin.org_name` and
//! `nemlogin.auth_to_repr` when the ID token's `idp` is `mitid_erhverv` (standard, NEB);
//! `cvrNumberIdentifier`, `2.5.4.10` and `companySignatory` (Idura). The simulated Signicat
//! offers no MitID Erhverv.
//!
//! Claims are read from userinfo first, then from the verified ID token; the level and the
//! broker session only from the ID token. Values may be JSON strings where the standard has
//! booleans (NEB's and Signicat's userinfo send every value as a string): `"true"` is `true`.

use serde_json::{Map, Value};

use crate::config::{BrokerProfile, ACR_HIGH, ACR_SUBSTANTIAL};

/// What the mailbox asks of one dialect and where it finds the answers.
#[derive(Debug)]
pub struct Dialect {
    /// The profile this table is for.
    pub profile: BrokerProfile,
    /// The scopes besides `openid`.
    pub scopes: &'static [&'static str],
    /// `acr_values`, one value each (none: the level is asked another way).
    pub acr_values: &'static [&'static str],
    /// The other parameters of the authentication request.
    pub params: &'static [(&'static str, &'static str)],
    /// The ID token claim that says the level of assurance.
    pub level_claim: &'static str,
    /// The values of [`Dialect::level_claim`] that are Substantial or more.
    pub enough: &'static [&'static str],
    /// The claim naming the broker session, in ID tokens and logout tokens.
    pub session_claim: &'static str,
    /// The claim with the CPR number.
    pub cpr_claim: &'static str,
    /// The claims with the person's whole name, in order of preference.
    pub name_claims: &'static [&'static str],
    /// Given and family name, joined when no whole name is sent.
    pub given_family: Option<(&'static str, &'static str)>,
    /// The business of a MitID Erhverv login, when the dialect offers it.
    pub business: Option<BusinessClaims>,
}

/// Where a dialect names the business a MitID Erhverv login was for.
#[derive(Debug)]
pub struct BusinessClaims {
    /// An ID token claim and the value that make a login a MitID Erhverv one; `None`: the
    /// business claims alone do.
    pub login_marker: Option<(&'static str, &'static str)>,
    /// The CVR number (eight digits).
    pub cvr: &'static str,
    /// The business's name.
    pub org_name: &'static str,
    /// `true` (or `"true"`) when the person may represent the business (a signatory).
    pub may_represent: &'static str,
}

const MITID_ERHVERV_CLAIMS: BusinessClaims = BusinessClaims {
    login_marker: Some(("idp", "mitid_erhverv")),
    cvr: "nemlogin.cvr",
    org_name: "nemlogin.org_name",
    may_represent: "nemlogin.auth_to_repr",
};

/// Clean OpenID Connect with the MitID facts as claims.
pub static STANDARD: Dialect = Dialect {
    profile: BrokerProfile::Standard,
    scopes: &["profile", "ssn", "nemlogin"],
    acr_values: &[ACR_SUBSTANTIAL],
    // MitID first: a login decided without a person stays private.
    params: &[("idp_values", "mitid mitid_erhverv")],
    level_claim: "acr",
    enough: &[ACR_SUBSTANTIAL, ACR_HIGH],
    session_claim: "sid",
    cpr_claim: "dk.cpr",
    name_claims: &["name"],
    given_family: Some(("given_name", "family_name")),
    business: Some(MITID_ERHVERV_CLAIMS),
};

/// Signaturgruppen's NEB: its own scopes (`profile` would be its error page), the level inside
/// `idp_params`, every userinfo value a string, no name in the ID token.
pub static NEB: Dialect = Dialect {
    profile: BrokerProfile::Neb,
    scopes: &["mitid", "ssn", "nemlogin"],
    acr_values: &[],
    params: &[
        ("idp_values", "mitid mitid_erhverv"),
        ("idp_params", r#"{"mitid":{"loa_value":"substantial"}}"#),
    ],
    level_claim: "acr",
    enough: &[ACR_SUBSTANTIAL, ACR_HIGH],
    session_claim: "sid",
    cpr_claim: "dk.cpr",
    name_claims: &["mitid.identity_name", "nemlogin.name"],
    given_family: Some(("nemlogin.given_name", "nemlogin.family_name")),
    business: Some(MITID_ERHVERV_CLAIMS),
};

/// Idura's level URNs (`acr_values` takes one), `login_hint=business_optional` to let the
/// person choose MitID Erhverv, `loA` for the level and `sessionindex` for the session.
pub static IDURA: Dialect = Dialect {
    profile: BrokerProfile::Idura,
    scopes: &["ssn"],
    acr_values: &["urn:grn:authn:dk:mitid:substantial"],
    params: &[("login_hint", "business_optional")],
    level_claim: "loA",
    enough: &["SUBSTANTIAL", "HIGH"],
    session_claim: "sessionindex",
    cpr_claim: "cprNumberIdentifier",
    name_claims: &["name"],
    given_family: None,
    business: Some(BusinessClaims {
        login_marker: None,
        cvr: "cvrNumberIdentifier",
        org_name: "2.5.4.10",
        may_represent: "companySignatory",
    }),
};

/// Signicat's eID hub: `idp:` and `loa:` in `acr_values`, its MitID scopes, `nin` for the CPR
/// number, the level's name as `acr`.
pub static SIGNICAT: Dialect = Dialect {
    profile: BrokerProfile::Signicat,
    scopes: &["profile", "nin", "idp-id", "mitid-extra"],
    acr_values: &["idp:mitid", "loa:substantial"],
    params: &[],
    level_claim: "acr",
    enough: &["substantial", "high"],
    session_claim: "sid",
    cpr_claim: "nin",
    name_claims: &["name"],
    given_family: Some(("given_name", "family_name")),
    business: None,
};

/// The table of `profile`.
pub fn dialect(profile: BrokerProfile) -> &'static Dialect {
    match profile {
        BrokerProfile::Standard => &STANDARD,
        BrokerProfile::Neb => &NEB,
        BrokerProfile::Idura => &IDURA,
        BrokerProfile::Signicat => &SIGNICAT,
    }
}

/// The person as a dialect's claims describe them, before the mailbox checks the values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Claimed {
    /// The CPR number as sent.
    pub cpr: Option<String>,
    /// The name for display.
    pub name: Option<String>,
    /// The business of a MitID Erhverv login, with an eight-digit CVR number.
    pub business: Option<ClaimedBusiness>,
    /// The broker session the ID token names.
    pub session: Option<String>,
}

/// The business of a MitID Erhverv login, as claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedBusiness {
    /// Its CVR number, eight digits.
    pub cvr: String,
    /// Its name.
    pub name: String,
    /// The person may represent it.
    pub may_represent: bool,
}

impl Dialect {
    /// `Ok` when the verified ID token's level is Substantial or more; otherwise the level it
    /// named, if any.
    pub fn check_level(&self, id_token: &Map<String, Value>) -> Result<(), Option<String>> {
        match text(id_token, self.level_claim) {
            Some(level) if self.enough.contains(&level.as_str()) => Ok(()),
            other => Err(other),
        }
    }

    /// The person in `userinfo` and the verified `id_token` (userinfo wins where both have a
    /// claim; the session only from the ID token).
    pub fn read(&self, id_token: &Map<String, Value>, userinfo: &Map<String, Value>) -> Claimed {
        let claim = |name: &str| text(userinfo, name).or_else(|| text(id_token, name));
        let name = self
            .name_claims
            .iter()
            .find_map(|name| claim(name))
            .or_else(|| {
                let (given, family) = self.given_family?;
                match (claim(given), claim(family)) {
                    (Some(given), Some(family)) => Some(format!("{given} {family}")),
                    (Some(one), None) | (None, Some(one)) => Some(one),
                    (None, None) => None,
                }
            });
        let business = self.business.as_ref().and_then(|business| {
            if let Some((marker, value)) = business.login_marker {
                if text(id_token, marker).as_deref() != Some(value) {
                    return None;
                }
            }
            let cvr = claim(business.cvr).filter(|cvr| is_cvr(cvr))?;
            let name = claim(business.org_name)?;
            let may_represent = [userinfo, id_token]
                .into_iter()
                .find_map(|claims| claims.get(business.may_represent))
                .is_some_and(is_true);
            Some(ClaimedBusiness {
                cvr,
                name,
                may_represent,
            })
        });
        Claimed {
            cpr: claim(self.cpr_claim),
            name,
            business,
            session: text(id_token, self.session_claim),
        }
    }
}

/// A claim's value as trimmed, non-empty text; only JSON strings count.
fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims
        .get(name)?
        .as_str()
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// `true`, as a JSON boolean or the string of a string-typed broker.
fn is_true(value: &Value) -> bool {
    match value {
        Value::Bool(value) => *value,
        Value::String(text) => text.trim() == "true",
        _ => false,
    }
}

fn is_cvr(cvr: &str) -> bool {
    cvr.len() == 8 && cvr.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn none() -> Map<String, Value> {
        Map::new()
    }

    #[test]
    fn each_profile_has_its_table() {
        for profile in BrokerProfile::ALL {
            assert_eq!(dialect(profile).profile, profile);
        }
        // NEB shows its error page for a scope it does not know.
        assert!(!NEB.scopes.contains(&"profile") && !NEB.scopes.contains(&"email"));
    }

    // --- standard -------------------------------------------------------------------------

    #[test]
    fn standard_reads_dk_cpr_and_name_from_userinfo() {
        let id_token = claims(json!({
            "sub": "s", "acr": ACR_SUBSTANTIAL, "idp": "mitid", "sid": "sid-1",
            "name": "Id Token Name",
        }));
        let userinfo = claims(json!({
            "sub": "s", "name": "Anna Testesen", "given_name": "Anna",
            "family_name": "Testesen", "dk.cpr": "7204901236",
        }));
        assert_eq!(STANDARD.check_level(&id_token), Ok(()));
        assert_eq!(
            STANDARD.read(&id_token, &userinfo),
            Claimed {
                cpr: Some("7204901236".into()),
                name: Some("Anna Testesen".into()),
                business: None,
                session: Some("sid-1".into()),
            }
        );
        // Without a name in userinfo, the ID token's; then given and family name.
        let read = STANDARD.read(&id_token, &claims(json!({"sub": "s"})));
        assert_eq!(read.name.as_deref(), Some("Id Token Name"));
        let read = STANDARD.read(
            &none(),
            &claims(json!({"given_name": "Ib", "family_name": "Ø"})),
        );
        assert_eq!(read.name.as_deref(), Some("Ib Ø"));
        let read = STANDARD.read(&none(), &claims(json!({"name": " ", "family_name": "Ø"})));
        assert_eq!(read.name.as_deref(), Some("Ø"));
    }

    #[test]
    fn standard_business_needs_idp_mitid_erhverv_and_an_eight_digit_cvr() {
        let userinfo = claims(json!({
            "dk.cpr": "7905621195", "name": "Jens Direktør",
            "nemlogin.cvr": "12345674", "nemlogin.org_name": "Simulatorfirmaet ApS",
            "nemlogin.auth_to_repr": true,
        }));
        let business_login = claims(json!({"acr": ACR_SUBSTANTIAL, "idp": "mitid_erhverv"}));
        assert_eq!(
            STANDARD.read(&business_login, &userinfo).business,
            Some(ClaimedBusiness {
                cvr: "12345674".into(),
                name: "Simulatorfirmaet ApS".into(),
                may_represent: true,
            })
        );
        let private_login = claims(json!({"acr": ACR_SUBSTANTIAL, "idp": "mitid"}));
        assert_eq!(STANDARD.read(&private_login, &userinfo).business, None);
        let mut bad_cvr = userinfo.clone();
        bad_cvr.insert("nemlogin.cvr".into(), json!("1234"));
        assert_eq!(STANDARD.read(&business_login, &bad_cvr).business, None);
        let mut employee = userinfo;
        employee.remove("nemlogin.auth_to_repr");
        let read = STANDARD.read(&business_login, &employee);
        assert_eq!(read.business.map(|b| b.may_represent), Some(false));
    }

    #[test]
    fn standard_level_is_the_nsis_acr() {
        let acr = |value: Value| claims(json!({ "acr": value }));
        assert_eq!(STANDARD.check_level(&acr(json!(ACR_HIGH))), Ok(()));
        let low = "https://data.gov.dk/concept/core/nsis/Low";
        assert_eq!(
            STANDARD.check_level(&acr(json!(low))),
            Err(Some(low.into()))
        );
        assert_eq!(STANDARD.check_level(&none()), Err(None));
        assert!(STANDARD.check_level(&acr(json!("substantial"))).is_err());
    }

    // --- NEB ------------------------------------------------------------------------------

    /// The recorded NEB ID token (broker-facts.md A4, pp-session CAP-020): no name claims.
    fn neb_id_token(idp: &str) -> Map<String, Value> {
        claims(json!({
            "iss": "https://pp.netseidbroker.dk/op", "nbf": 1788126726, "iat": 1788126726,
            "exp": 1788127026, "aud": "client", "amr": ["code_app"], "nonce": "n",
            "at_hash": "ek5J22XYzuAGR54v6tEAHw", "sid": "7cd32ac1-6a23-41a6-8fb5-70468c4c6fa9",
            "sub": "d7a452f0-8502-4048-8aee-5e51c9412685", "auth_time": 1788126725,
            "idp": idp, "acr": "https://data.gov.dk/concept/core/nsis/Substantial",
            "neb_sid": "7cd32ac1-6a23-41a6-8fb5-70468c4c6fa9",
            "loa": "https://data.gov.dk/concept/core/nsis/Substantial",
            "aal": "https://data.gov.dk/concept/core/nsis/Substantial",
            "ial": "https://data.gov.dk/concept/core/nsis/Substantial",
            "identity_type": "private", "transaction_id": "a5b185dd-a780-4921-8073-0ef123ba06d3",
            "idp_transaction_id": "35b218b7-89b8-41f7-9554-793732db70ca",
            "session_expiry": "1788142923", "idtoken_type": "strict", "subject_type": "org_mapped",
        }))
    }

    #[test]
    fn neb_reads_its_string_typed_userinfo() {
        // The recorded userinfo with scope ssn (broker-facts.md A.5, CAP-021), shortened.
        let userinfo = claims(json!({
            "session_is_active": "true", "session_expiry": "1788145791", "idp": "mitid",
            "subject_type": "org_mapped",
            "idp_identity_id": "32014f0c-6986-485e-af66-453ccece65ff",
            "loa": "https://data.gov.dk/concept/core/nsis/Substantial",
            "mitid.uuid": "32014f0c-6986-485e-af66-453ccece65ff", "mitid.age": "40",
            "mitid.date_of_birth": "1986-08-14", "mitid.has_cpr": "true",
            "mitid.identity_name": "Fornavn Mellemnavn Efternavn", "dk.cpr": "7408863186",
            "nemid.pid": "9208-2002-2-381884622591", "mitid.psd2": "false",
            "mitid.geo_ip_distance_km": "8396", "sub": "d7a452f0-8502-4048-8aee-5e51c9412685",
        }));
        let id_token = neb_id_token("mitid");
        assert_eq!(NEB.check_level(&id_token), Ok(()));
        assert_eq!(
            NEB.read(&id_token, &userinfo),
            Claimed {
                cpr: Some("7408863186".into()),
                name: Some("Fornavn Mellemnavn Efternavn".into()),
                business: None,
                session: Some("7cd32ac1-6a23-41a6-8fb5-70468c4c6fa9".into()),
            }
        );
    }

    #[test]
    fn neb_business_login_gives_nemlogin_claims_as_strings() {
        // A MitID Erhverv login as the simulator answers it (no recording exists): every
        // value a string, auth_to_repr "true" or "false".
        let userinfo = |represent: &str| {
            claims(json!({
                "idp": "mitid_erhverv", "mitid.identity_name": "Jens Direktør",
                "dk.cpr": "7905621195", "nemlogin.cvr": "12345674",
                "nemlogin.org_name": "Simulatorfirmaet ApS",
                "nemlogin.persistent_professional_id": "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c09",
                "nemlogin.name": "Jens Direktør", "nemlogin.auth_to_repr": represent,
                "sub": "guid",
            }))
        };
        let id_token = neb_id_token("mitid_erhverv");
        let signatory = NEB.read(&id_token, &userinfo("true"));
        assert_eq!(
            signatory.business,
            Some(ClaimedBusiness {
                cvr: "12345674".into(),
                name: "Simulatorfirmaet ApS".into(),
                may_represent: true,
            })
        );
        assert_eq!(signatory.cpr.as_deref(), Some("7905621195"));
        let employee = NEB.read(&id_token, &userinfo("false"));
        assert_eq!(employee.business.map(|b| b.may_represent), Some(false));
        // The same claims after a private login open no business.
        let private = NEB.read(&neb_id_token("mitid"), &userinfo("true"));
        assert_eq!(private.business, None);
    }

    #[test]
    fn neb_name_falls_back_to_the_nemlogin_names() {
        let read = NEB.read(
            &none(),
            &claims(json!({"nemlogin.given_name": "Ida", "nemlogin.family_name": "Ansat"})),
        );
        assert_eq!(read.name.as_deref(), Some("Ida Ansat"));
        let read = NEB.read(&none(), &claims(json!({"nemlogin.name": "Ida Ansat"})));
        assert_eq!(read.name.as_deref(), Some("Ida Ansat"));
    }

    // --- Idura ----------------------------------------------------------------------------

    /// Idura's published MitID citizen sample (broker-facts.md B.1, `MITID_CITIZEN`), with
    /// the level the mailbox asks for.
    fn idura_citizen(level: &str) -> Map<String, Value> {
        claims(json!({
            "iss": "https://samples.criipto.id", "aud": "urn:criipto:samples:criipto-jwt-viewer",
            "nonce": "ecnon-df59d6e1-5260-4ffb-9cd2-8c86fc99d576", "identityscheme": "dkmitid",
            "authenticationtype": "urn:grn:authn:dk:mitid:low",
            "authenticationmethod": "pwd:1669801183751:LOW:SUBSTANTIAL:LOW:LOW",
            "authenticationinstant": "2022-11-30T09:39:46.150Z",
            "nameidentifier": "3a8f1798a52240579bfa69e106d3d2ee",
            "sub": "{3a8f1798-a522-4057-9bfa-69e106d3d2ee}",
            "sessionindex": "06f44db0-d5d5-4a58-9295-4e6b8b4dbebb", "loA": level,
            "ial": "SUBSTANTIAL", "aal": "LOW", "fal": "HIGH",
            "uuid": "8e6ab4ea-58b9-4130-a900-4366ba54eed9", "cprNumberIdentifier": "2712589100",
            "birthdate": "1958-12-27", "dateofbirth": "1958-12-27", "age": "63",
            "name": "Paiman Petersen", "refTextHeader": "Log on at Criipto",
            "refTextBody": "@criipto/jwt-viewer", "country": "DK",
            "iat": 1669801186, "nbf": 1669801186, "exp": 1669819183,
        }))
    }

    #[test]
    fn idura_reads_cpr_number_identifier_name_and_loa() {
        let id_token = idura_citizen("SUBSTANTIAL");
        assert_eq!(IDURA.check_level(&id_token), Ok(()));
        assert_eq!(IDURA.check_level(&idura_citizen("HIGH")), Ok(()));
        // The sample as published is a Low login: not enough for Digital Post.
        assert_eq!(
            IDURA.check_level(&idura_citizen("LOW")),
            Err(Some("LOW".into()))
        );
        // Idura's ID token has no acr; an NSIS acr alone says nothing in this dialect.
        assert_eq!(
            IDURA.check_level(&claims(json!({"acr": ACR_SUBSTANTIAL}))),
            Err(None)
        );
        // Userinfo repeats the ID token's claims; either is enough.
        for (id_token, userinfo) in [(id_token.clone(), none()), (none(), id_token.clone())] {
            let read = IDURA.read(&id_token, &userinfo);
            assert_eq!(read.cpr.as_deref(), Some("2712589100"));
            assert_eq!(read.name.as_deref(), Some("Paiman Petersen"));
            assert_eq!(read.business, None);
        }
        assert_eq!(
            IDURA.read(&id_token, &none()).session.as_deref(),
            Some("06f44db0-d5d5-4a58-9295-4e6b8b4dbebb")
        );
    }

    #[test]
    fn idura_business_is_the_cvr_claims_signatory_or_employee() {
        // Idura's MitID Erhverv snippets (broker-facts.md B.1): an employee, and a company
        // signatory (as the citizen sample plus the business claims).
        let employee = claims(json!({
            "identityscheme": "dkmitid", "nameidentifier": "159d89fca2db4300a52ab7865f7b1ff3",
            "sub": "{159d89fc-a2db-4300-a52a-b7865f7b1ff3}",
            "uuid": "3c6d9757-1e70-438a-8dd3-5f84398c2e25", "cvrNumberIdentifier": "12345678",
            "2.5.4.10": "Testorganisation nr. 12345678", "name": "Firstname Lastname",
            "employee": "true", "country": "DK", "productionUnit": "1092738120",
            "ridNumberIdentifier": "8636770830", "seNumber": "98202298", "loA": "SUBSTANTIAL",
        }));
        let read = IDURA.read(&employee, &employee);
        assert_eq!(
            read.business,
            Some(ClaimedBusiness {
                cvr: "12345678".into(),
                name: "Testorganisation nr. 12345678".into(),
                may_represent: false,
            })
        );
        assert_eq!(read.name.as_deref(), Some("Firstname Lastname"));
        assert_eq!(read.cpr, None, "no CPR without the ssn scope");

        let mut signatory = idura_citizen("SUBSTANTIAL");
        signatory.insert("cvrNumberIdentifier".into(), json!("12345678"));
        signatory.insert("2.5.4.10".into(), json!("Testorganisation nr. 12345678"));
        signatory.insert("companySignatory".into(), json!("true"));
        let read = IDURA.read(&signatory, &signatory);
        assert_eq!(read.business.map(|b| b.may_represent), Some(true));
        assert_eq!(read.cpr.as_deref(), Some("2712589100"));
    }

    // --- Signicat -------------------------------------------------------------------------

    #[test]
    fn signicat_reads_nin_and_the_profile_names() {
        // The recorded ID token's shape (broker-facts.md C4) and the vendor's userinfo
        // example with scopes openid profile nin (C.3), values strings.
        let id_token = claims(json!({
            "iss": "https://example.sandbox.signicat.com/auth/open", "nbf": 1731075893,
            "iat": 1731075893, "exp": 1731076493, "aud": "client", "amr": ["external"],
            "nonce": "n", "at_hash": "DUfaiUCP6vaBu_Q45EwsUQ",
            "sid": "59E087F7E27089EDE5516C21B9416113",
            "sub": "1blgPh97HPXdEY5QsK45sdqtiGacjq5fAd5gC3dlP74=", "auth_time": 1731075879,
            "idp": "mitid", "name": "Abelone Christensen", "family_name": "Christensen",
            "given_name": "Abelone", "birthdate": "1974-07-11", "idp_issuer": "mitid",
            "transaction_id": "a46a0f68-bb0e-4244-9428-224518c1b314", "sandbox": true,
            "acr": "substantial",
        }));
        let userinfo = claims(json!({
            "idp_id": "8cb1e51c-13aa-4044-b9ac-8978cf1f113c", "name": "Abelone Christensen",
            "family_name": "Christensen", "given_name": "Abelone", "birthdate": "1974-07-11",
            "nin": "1107744882", "nin_type": "PERSON", "nin_issuing_country": "DK",
            "mitid_has_cpr": "true", "mitid_loa": "SUBSTANTIAL",
            "sub": "1blgPh97HPXdEY5QsK45sdqtiGacjq5fAd5gC3dlP74=",
        }));
        assert_eq!(SIGNICAT.check_level(&id_token), Ok(()));
        assert_eq!(
            SIGNICAT.read(&id_token, &userinfo),
            Claimed {
                cpr: Some("1107744882".into()),
                name: Some("Abelone Christensen".into()),
                business: None,
                session: Some("59E087F7E27089EDE5516C21B9416113".into()),
            }
        );
        let mut low = id_token;
        low.insert("acr".into(), json!("low"));
        assert_eq!(SIGNICAT.check_level(&low), Err(Some("low".into())));
        let names_only = claims(json!({"given_name": "Abelone", "family_name": "Christensen"}));
        assert_eq!(
            SIGNICAT.read(&none(), &names_only).name.as_deref(),
            Some("Abelone Christensen")
        );
    }

    #[test]
    fn no_dialect_takes_a_cpr_from_a_number() {
        // A number would have lost a leading zero; only strings count.
        for profile in BrokerProfile::ALL {
            let table = dialect(profile);
            let userinfo = claims(json!({ table.cpr_claim: 101701234 }));
            assert_eq!(table.read(&none(), &userinfo).cpr, None, "{profile}");
        }
    }
}
