//! The public authorities that send post in this demo: a fixed list.

use serde::{Deserialize, Serialize};

/// A sender of public post. Fixed, so letters can only come from authorities the demo knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Authority {
    /// The Danish tax agency (preliminary and annual tax statements).
    Skattestyrelsen,
    /// Pays housing benefit and pensions.
    UdbetalingDanmark,
    /// The person's municipality (daycare, moving house).
    Kommune,
    /// A regional hospital (appointments, test results).
    Hospital,
    /// Student grants (Uddannelses- og Forskningsstyrelsen).
    Su,
    /// The police (passport ready for collection).
    Politiet,
    /// The courts (summons).
    Domstolene,
    /// Driving licences.
    Faerdselsstyrelsen,
    /// Vaccination programmes.
    Sundhedsstyrelsen,
}

impl Authority {
    /// Every authority, in the order forms list them.
    pub const ALL: [Authority; 9] = [
        Self::Skattestyrelsen,
        Self::UdbetalingDanmark,
        Self::Kommune,
        Self::Hospital,
        Self::Su,
        Self::Politiet,
        Self::Domstolene,
        Self::Faerdselsstyrelsen,
        Self::Sundhedsstyrelsen,
    ];

    /// The name used in forms and the simulator API.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Skattestyrelsen => "skattestyrelsen",
            Self::UdbetalingDanmark => "udbetaling-danmark",
            Self::Kommune => "kommune",
            Self::Hospital => "hospital",
            Self::Su => "su",
            Self::Politiet => "politiet",
            Self::Domstolene => "domstolene",
            Self::Faerdselsstyrelsen => "faerdselsstyrelsen",
            Self::Sundhedsstyrelsen => "sundhedsstyrelsen",
        }
    }

    /// The authority named `slug` (case and surrounding spaces ignored).
    pub fn from_slug(slug: &str) -> Option<Self> {
        let slug = slug.trim();
        Self::ALL
            .into_iter()
            .find(|authority| authority.slug().eq_ignore_ascii_case(slug))
    }

    /// The name shown as the sender.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Skattestyrelsen => "Skattestyrelsen",
            Self::UdbetalingDanmark => "Udbetaling Danmark",
            Self::Kommune => "Demo Kommune",
            Self::Hospital => "Region Demo, Demo Hospital",
            Self::Su => "SU (Uddannelses- og Forskningsstyrelsen)",
            Self::Politiet => "Politiet",
            Self::Domstolene => "Domstolene",
            Self::Faerdselsstyrelsen => "Færdselsstyrelsen",
            Self::Sundhedsstyrelsen => "Sundhedsstyrelsen",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_authority_round_trips_its_slug() {
        for authority in Authority::ALL {
            assert_eq!(Authority::from_slug(authority.slug()), Some(authority));
        }
        assert_eq!(Authority::from_slug(" SU "), Some(Authority::Su));
        assert_eq!(Authority::from_slug("nsa"), None);
    }
}
