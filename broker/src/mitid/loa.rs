//! MitID authenticators and the levels of assurance (NSIS) a login reaches with them.
//!
//! Rules implemented here (Idura's description of MitID's combinations; Signicat's `loa`):
//! - **High**: the app enrolled at level high (identity proven with a chip-read passport or
//!   ID card); or password + chip; or a high app + chip.
//! - **Substantial**: the app; or the code viewer + password; or the audio code reader +
//!   password (the reader is the code viewer's accessible twin and plays the same role).
//! - **Low**: the password alone.
//! - `loa = min(ial, aal)`: a login never asserts more than the identity was proven at.
//!
//! A combination reaches the highest level of any rule it contains, so adding an authenticator
//! never lowers the level and extras change nothing: app + password is what the app gives. Where
//! the sources are silent, the choice is the conservative one: an app *not* enrolled at high
//! plus a chip stays substantial (only "a high app + chip" is named as high).

use serde::{Deserialize, Serialize};

use crate::model::Level;

/// One MitID authenticator (*identifikationsmiddel*) as used in a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Authenticator {
    /// The MitID app: approve with a swipe after PIN or biometrics. `enrolled_at_high` when
    /// the person's identity was proven at high when the app was activated.
    App { enrolled_at_high: bool },
    /// The code viewer (*kodeviser*): a 6-digit TOTP, then the password.
    CodeViewer,
    /// The audio code reader (*kodeoplæser*): the code read aloud, then the password.
    CodeReader,
    /// The MitID chip: a FIDO security key, used with the password.
    Chip,
    /// The password: the knowledge factor.
    Password,
}

impl Authenticator {
    /// Every authenticator, both kinds of app included.
    pub const ALL: [Authenticator; 6] = [
        Authenticator::App {
            enrolled_at_high: true,
        },
        Authenticator::App {
            enrolled_at_high: false,
        },
        Authenticator::CodeViewer,
        Authenticator::CodeReader,
        Authenticator::Chip,
        Authenticator::Password,
    ];

    /// The `amr` value the brokers send for this authenticator, as recorded on the wire (bare,
    /// without a `mitid:` prefix). The brokers also document `code_app_enchanced` (sic) for an
    /// "enhanced" app; what makes an app enhanced is not known, so every app sends `code_app`.
    pub const fn amr(self) -> &'static str {
        match self {
            Authenticator::App { .. } => "code_app",
            Authenticator::CodeViewer => "code_token",
            Authenticator::CodeReader => "code_reader",
            Authenticator::Chip => "u2f_token",
            Authenticator::Password => "password",
        }
    }
}

/// The authentication assurance level (`aal`) of the authenticators used together in one login,
/// per the rules in this module's documentation. Order and repeats do not matter.
///
/// `None` when they do not make a login at all: nothing used, or only a code viewer, code
/// reader or chip, which each need the password beside them.
pub fn aal(used: &[Authenticator]) -> Option<Level> {
    let has = |a: Authenticator| used.contains(&a);
    let app_high = has(Authenticator::App {
        enrolled_at_high: true,
    });
    let app = app_high
        || has(Authenticator::App {
            enrolled_at_high: false,
        });
    let password = has(Authenticator::Password);
    let code = has(Authenticator::CodeViewer) || has(Authenticator::CodeReader);
    let chip = has(Authenticator::Chip);

    if app_high || (password && chip) {
        Some(Level::High)
    } else if app || (password && code) {
        Some(Level::Substantial)
    } else if password {
        Some(Level::Low)
    } else {
        None
    }
}

/// Whether the authenticators used (or available) together reach `required`. Since levels only
/// grow as authenticators are added, a person's full set tells whether any login of theirs can.
pub fn reaches(used: &[Authenticator], required: Level) -> bool {
    aal(used).is_some_and(|level| level >= required)
}

/// The level of assurance of a login: the lower of the identity's (`ial`) and the
/// authentication's (`aal`). A level-low identity gives a low login whatever was used.
pub fn loa(ial: Level, aal: Level) -> Level {
    ial.min(aal)
}

/// The `amr` claim for the authenticators used, in the order used, each value once (both kinds
/// of app give `code_app`).
pub fn amr_values(used: &[Authenticator]) -> Vec<&'static str> {
    let mut values: Vec<&'static str> = Vec::with_capacity(used.len());
    for amr in used.iter().map(|a| a.amr()) {
        if !values.contains(&amr) {
            values.push(amr);
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use Authenticator::{Chip, CodeReader, CodeViewer, Password};
    use Level::{High, Low, Substantial};

    const APP: Authenticator = Authenticator::App {
        enrolled_at_high: false,
    };
    const APP_HIGH: Authenticator = Authenticator::App {
        enrolled_at_high: true,
    };

    /// Every single authenticator and every pair, plus the triples the rules name.
    #[test]
    fn aal_of_every_combination() {
        let table: &[(&[Authenticator], Option<Level>)] = &[
            (&[], None),
            // Alone.
            (&[APP], Some(Substantial)),
            (&[APP_HIGH], Some(High)),
            (&[CodeViewer], None),
            (&[CodeReader], None),
            (&[Chip], None),
            (&[Password], Some(Low)),
            // With the password.
            (&[CodeViewer, Password], Some(Substantial)),
            (&[CodeReader, Password], Some(Substantial)),
            (&[Chip, Password], Some(High)),
            (&[APP, Password], Some(Substantial)),
            (&[APP_HIGH, Password], Some(High)),
            // With the chip.
            (&[APP_HIGH, Chip], Some(High)),
            (&[APP, Chip], Some(Substantial)),
            (&[CodeViewer, Chip], None),
            (&[CodeReader, Chip], None),
            // The app with a code device.
            (&[APP, CodeViewer], Some(Substantial)),
            (&[APP, CodeReader], Some(Substantial)),
            (&[APP_HIGH, CodeViewer], Some(High)),
            (&[APP_HIGH, CodeReader], Some(High)),
            (&[APP, APP_HIGH], Some(High)),
            (&[CodeViewer, CodeReader], None),
            // Triples.
            (&[CodeViewer, Password, Chip], Some(High)),
            (&[CodeViewer, CodeReader, Password], Some(Substantial)),
            (&[APP, Password, Chip], Some(High)),
            (&[CodeViewer, CodeReader, Chip], None),
            // Order and repeats do not matter.
            (&[Password, CodeViewer], Some(Substantial)),
            (&[Password, Password], Some(Low)),
            (&[Chip, Chip], None),
        ];
        for (used, expected) in table {
            assert_eq!(aal(used), *expected, "{used:?}");
        }
    }

    /// All 64 subsets of the six authenticators.
    fn every_subset() -> Vec<Vec<Authenticator>> {
        (0u32..1 << Authenticator::ALL.len())
            .map(|bits| {
                Authenticator::ALL
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, a)| a)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn adding_an_authenticator_never_lowers_the_level() {
        for subset in every_subset() {
            for extra in Authenticator::ALL {
                let mut more = subset.clone();
                more.push(extra);
                assert!(aal(&more) >= aal(&subset), "{subset:?} + {extra:?}");
            }
        }
    }

    #[test]
    fn a_login_needs_the_app_or_the_password() {
        for subset in every_subset() {
            let has_app_or_password = subset
                .iter()
                .any(|a| matches!(a, Authenticator::App { .. } | Password));
            assert_eq!(aal(&subset).is_some(), has_app_or_password, "{subset:?}");
        }
    }

    #[test]
    fn high_needs_a_high_app_or_password_with_chip() {
        for subset in every_subset() {
            let high_rule = subset.contains(&APP_HIGH)
                || (subset.contains(&Password) && subset.contains(&Chip));
            assert_eq!(aal(&subset) == Some(High), high_rule, "{subset:?}");
        }
    }

    #[test]
    fn reaches_compares_against_the_required_level() {
        assert!(reaches(&[Password], Low));
        assert!(!reaches(&[Password], Substantial));
        assert!(reaches(&[CodeViewer, Password], Substantial));
        assert!(!reaches(&[CodeViewer, Password], High));
        assert!(reaches(&[Chip, Password], High));
        assert!(!reaches(&[Chip], Low));
    }

    #[test]
    fn loa_is_the_lower_of_ial_and_aal() {
        let table = [
            (Low, Low, Low),
            (Low, Substantial, Low),
            (Low, High, Low),
            (Substantial, Low, Low),
            (Substantial, Substantial, Substantial),
            (Substantial, High, Substantial),
            (High, Low, Low),
            (High, Substantial, Substantial),
            (High, High, High),
        ];
        for (ial, aal, expected) in table {
            assert_eq!(loa(ial, aal), expected, "ial {ial:?}, aal {aal:?}");
        }
    }

    #[test]
    fn loa_uri_is_the_nsis_uri() {
        assert_eq!(
            loa(High, Substantial).uri(),
            "https://data.gov.dk/concept/core/nsis/Substantial"
        );
    }

    #[test]
    fn amr_value_of_each_authenticator() {
        let table = [
            (APP, "code_app"),
            (APP_HIGH, "code_app"),
            (CodeViewer, "code_token"),
            (CodeReader, "code_reader"),
            (Chip, "u2f_token"),
            (Password, "password"),
        ];
        for (authenticator, amr) in table {
            assert_eq!(authenticator.amr(), amr, "{authenticator:?}");
        }
    }

    #[test]
    fn amr_values_keep_the_order_used_and_drop_repeats() {
        assert_eq!(
            amr_values(&[CodeViewer, Password]),
            ["code_token", "password"]
        );
        assert_eq!(amr_values(&[Password, Chip]), ["password", "u2f_token"]);
        assert_eq!(
            amr_values(&[APP, APP_HIGH, Password]),
            ["code_app", "password"]
        );
        assert!(amr_values(&[]).is_empty());
    }

    #[test]
    fn authenticator_serializes_with_a_kind_tag() {
        let json = serde_json::to_string(&APP_HIGH).unwrap();
        assert_eq!(json, r#"{"kind":"app","enrolled_at_high":true}"#);
        let back: Authenticator = serde_json::from_str(r#"{"kind":"code_viewer"}"#).unwrap();
        assert_eq!(back, CodeViewer);
    }
}
