//! Which authenticators a simulated login used: an approval that no person made (auto-approve,
//! a queued or explicit decision) still says how the person would have logged in, so the
//! tokens carry a truthful `amr` and `aal`.
//!
//! The person is taken to use their strongest combination (the one with the highest `aal`);
//! among equally strong ones, the one MitID offers first: the app before the code viewer,
//! the code viewer before the code reader. The combinations are the ones a MitID login can be
//! made of ([`super::loa`](mod@super::loa)): each contains the app or the password.

use super::loa::{aal, amr_values, Authenticator};
use crate::model::Level;

use Authenticator::{App, Chip, CodeReader, CodeViewer, Password};

/// The combinations a person logs in with, strongest first, then in MitID's order of
/// preference; the authenticators of each in the order they are used.
const COMBINATIONS: [&[Authenticator]; 6] = [
    &[App {
        enrolled_at_high: true,
    }],
    &[Password, Chip],
    &[App {
        enrolled_at_high: false,
    }],
    &[CodeViewer, Password],
    &[CodeReader, Password],
    &[Password],
];

/// A simulated login: the authenticators used, in order, and the level they reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedLogin {
    pub used: Vec<Authenticator>,
    pub aal: Level,
}

impl SimulatedLogin {
    /// The `amr` claim of this login.
    pub fn amr(&self) -> Vec<String> {
        amr_values(&self.used)
            .into_iter()
            .map(String::from)
            .collect()
    }
}

/// The strongest login a person with these authenticators can make; `None` when they cannot
/// log in at all (no app and no password).
pub fn strongest_login(available: &[Authenticator]) -> Option<SimulatedLogin> {
    COMBINATIONS.into_iter().find_map(|combination| {
        let usable = combination.iter().all(|a| available.contains(a));
        let level = aal(combination)?;
        usable.then(|| SimulatedLogin {
            used: combination.to_vec(),
            aal: level,
        })
    })
}

/// The person's strongest login, if it reaches `required` (an `aal`); `None` when no login of
/// theirs can.
pub fn simulate_login(available: &[Authenticator], required: Level) -> Option<SimulatedLogin> {
    strongest_login(available).filter(|login| login.aal >= required)
}

/// The `amr` of a simulated NemID login: user ID and password, then a code from the key card.
/// NemID's `amr` values are not documented by the brokers **(unverified)**.
pub const NEMID_AMR: [&str; 2] = ["password", "key_card"];

/// NemID was notified under eIDAS at level substantial; a key card login counts as such.
pub const NEMID_AAL: Level = Level::Substantial;

#[cfg(test)]
mod tests {
    use super::*;
    use Level::{High, Low, Substantial};

    const APP: Authenticator = App {
        enrolled_at_high: false,
    };
    const APP_HIGH: Authenticator = App {
        enrolled_at_high: true,
    };

    /// The authenticators used and the level reached.
    type Used = Option<(Vec<Authenticator>, Level)>;

    fn used(available: &[Authenticator]) -> Used {
        strongest_login(available).map(|l| (l.used, l.aal))
    }

    #[test]
    fn the_strongest_combination_is_used() {
        let table: &[(&[Authenticator], Used)] = &[
            (&[], None),
            (&[Chip], None),
            (&[CodeViewer, CodeReader], None),
            (&[Password], Some((vec![Password], Low))),
            (
                &[Password, CodeViewer],
                Some((vec![CodeViewer, Password], Substantial)),
            ),
            (
                &[Password, CodeReader],
                Some((vec![CodeReader, Password], Substantial)),
            ),
            (&[APP, Password], Some((vec![APP], Substantial))),
            (&[APP, Password, Chip], Some((vec![Password, Chip], High))),
            (&[APP_HIGH, Password, Chip], Some((vec![APP_HIGH], High))),
            (&[APP_HIGH], Some((vec![APP_HIGH], High))),
            // A chip without the password does not help the app.
            (&[APP, Chip], Some((vec![APP], Substantial))),
            (
                &[CodeReader, CodeViewer, Password],
                Some((vec![CodeViewer, Password], Substantial)),
            ),
        ];
        for (available, expected) in table {
            assert_eq!(used(available), *expected, "{available:?}");
        }
    }

    #[test]
    fn the_simulated_level_is_the_combination_aal() {
        for available in [&[APP][..], &[Password], &[Chip, Password], &[APP_HIGH]] {
            let login = strongest_login(available).unwrap();
            assert_eq!(Some(login.aal), aal(&login.used));
            assert_eq!(Some(login.aal), aal(available), "{available:?}");
        }
    }

    #[test]
    fn simulate_refuses_a_level_the_person_cannot_reach() {
        assert!(simulate_login(&[Password], Low).is_some());
        assert!(simulate_login(&[Password], Substantial).is_none());
        assert!(simulate_login(&[APP], High).is_none());
        assert!(simulate_login(&[Chip, Password], High).is_some());
        assert!(simulate_login(&[], Low).is_none());
    }

    #[test]
    fn amr_lists_the_authenticators_in_order() {
        let login = simulate_login(&[Password, CodeViewer], Substantial).unwrap();
        assert_eq!(login.amr(), ["code_token", "password"]);
        let login = simulate_login(&[APP_HIGH, Password], High).unwrap();
        assert_eq!(login.amr(), ["code_app"]);
    }
}
