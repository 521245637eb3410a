use serde::{Deserialize, Serialize};

use super::Level;

/// The identity provider a login went through: the `idp` claim, and the value a client names
/// in `idp_values` (Signaturgruppen's parameter) to ask for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Idp {
    /// A private MitID.
    #[default]
    Mitid,
    /// MitID Erhverv: the person logs in as one of their business identities.
    MitidErhverv,
    /// The retired NemID (user ID, password and key card).
    Nemid,
}

impl Idp {
    pub const ALL: [Idp; 3] = [Idp::Mitid, Idp::MitidErhverv, Idp::Nemid];

    pub const fn as_str(self) -> &'static str {
        match self {
            Idp::Mitid => "mitid",
            Idp::MitidErhverv => "mitid_erhverv",
            Idp::Nemid => "nemid",
        }
    }

    pub fn parse(value: &str) -> Option<Idp> {
        Idp::ALL.into_iter().find(|idp| idp.as_str() == value)
    }
}

/// What a login proved beside `acr`: the identity provider and the two levels whose lower one
/// is the login's level (`loa` = `acr` = min(`ial`, `aal`)). Carried from the approval to the
/// session, the code and every token, so the ID token can state them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assurance {
    pub idp: Idp,
    /// The identity assurance level: how well the person was identified at enrolment.
    pub ial: Level,
    /// The authentication assurance level of the authenticators used.
    pub aal: Level,
}

impl Assurance {
    /// The level of assurance: the lower of `ial` and `aal`.
    pub fn loa(self) -> Level {
        crate::mitid::loa(self.ial, self.aal)
    }
}

impl Default for Assurance {
    /// For data written before logins recorded their assurance: a substantial MitID login.
    fn default() -> Self {
        Assurance {
            idp: Idp::Mitid,
            ial: Level::Substantial,
            aal: Level::Substantial,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idp_round_trips_through_its_wire_name() {
        for idp in Idp::ALL {
            assert_eq!(Idp::parse(idp.as_str()), Some(idp));
            assert_eq!(serde_json::to_value(idp).unwrap(), idp.as_str());
        }
        assert_eq!(Idp::parse("nemlogin"), None);
    }

    #[test]
    fn loa_is_the_lower_of_ial_and_aal() {
        let a = Assurance {
            idp: Idp::Mitid,
            ial: Level::Low,
            aal: Level::High,
        };
        assert_eq!(a.loa(), Level::Low);
    }
}
