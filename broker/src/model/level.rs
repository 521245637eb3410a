use serde::{Deserialize, Serialize};

/// NSIS assurance level, sent as its URI in `acr`, `loa`, `ial` and `aal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Low,
    Substantial,
    High,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Low, Level::Substantial, Level::High];

    pub fn uri(self) -> &'static str {
        match self {
            Level::Low => "https://data.gov.dk/concept/core/nsis/Low",
            Level::Substantial => "https://data.gov.dk/concept/core/nsis/Substantial",
            Level::High => "https://data.gov.dk/concept/core/nsis/High",
        }
    }

    /// The level's name in any case: `low`, `Substantial`, `HIGH`.
    pub fn from_name(name: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
    }

    /// `low`, `substantial` or `high`.
    pub const fn name(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Substantial => "substantial",
            Level::High => "high",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.uri() == uri)
    }
}
