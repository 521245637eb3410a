//! The dialect an issuer speaks: `standard` (clean OpenID Connect) or the wire of a real MitID
//! broker. One broker serves every profile side by side, each at its own issuer path; the
//! identities, clients, logins and devices behind them are shared. What differs per profile
//! lives in `crate::oidc::profile`.

use serde::{Deserialize, Serialize};

use crate::paths::{self, Endpoints};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// OpenID Connect Core with the MitID facts as claims; passes the OIDF OP test plans.
    #[default]
    Standard,
    /// Signaturgruppen's broker (Nets eID Broker).
    Neb,
    /// Idura (formerly Criipto Verify).
    Idura,
    /// Signicat.
    Signicat,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Standard,
        Profile::Neb,
        Profile::Idura,
        Profile::Signicat,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Standard => "standard",
            Profile::Neb => "neb",
            Profile::Idura => "idura",
            Profile::Signicat => "signicat",
        }
    }

    pub fn parse(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The issuer's path below the broker's base URL (the real broker's issuer path).
    pub const fn issuer_path(self) -> &'static str {
        match self {
            Profile::Standard => "",
            Profile::Neb => "/op",
            Profile::Idura => "/idura",
            Profile::Signicat => "/auth/open",
        }
    }

    /// The endpoints below the issuer, as the real broker names them.
    pub const fn endpoints(self) -> &'static Endpoints {
        match self {
            Profile::Standard => &paths::STANDARD,
            Profile::Neb => &paths::NEB,
            Profile::Idura => &paths::IDURA,
            Profile::Signicat => &paths::SIGNICAT,
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
