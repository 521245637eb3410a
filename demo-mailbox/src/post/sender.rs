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
