//! Simulated association memberships: which people may open an association's (*forening*)
//! mailbox, and who administers it (an administrator may give others access to it). In
//! Digital Post the association gives its members access; here a few test people are members
//! from the start (fictitious associations, valid-looking CVR numbers), and the simulator API
//! adds and removes memberships.

use serde::{Deserialize, Serialize};

use super::cpr::Cpr;

/// A member's role in the association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Opens the mailbox and works with its post.
    Member,
    /// Also gives, changes and revokes other people's access to it, and sees its activity
    /// log.
    Admin,
}

impl Role {
    /// The name stored and sent (`member`, `admin`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
        }
    }

    /// The role named by its slug.
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "member" => Some(Self::Member),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A person's membership of an association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The member.
    pub cpr: Cpr,
    /// The association's CVR number (its mailbox is `association:{cvr}`).
    pub cvr: String,
    /// The association's name.
    pub name: String,
    /// Member or administrator.
    pub role: Role,
}

/// Whether `cvr` is a CVR number: eight digits, the first not 0, with the modulus-11 check
/// digit.
pub fn is_cvr(cvr: &str) -> bool {
    let digits: Vec<u32> = cvr.chars().map_while(|c| c.to_digit(10)).collect();
    if digits.len() != 8 || cvr.len() != 8 || digits.first() == Some(&0) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .zip([2, 7, 6, 5, 4, 3, 2, 1])
        .map(|(digit, weight)| digit * weight)
        .sum();
    sum.is_multiple_of(11)
}

/// (CPR of a seeded test person, association CVR, association name, role).
const SEED: [(&str, &str, &str, Role); 3] = [
    // anna
    (
        "7204901236",
        "31415926",
        "Grundejerforeningen Solsikken",
        Role::Admin,
    ),
    // dorthe
    (
        "8107680342",
        "31415926",
        "Grundejerforeningen Solsikken",
        Role::Member,
    ),
    // bo
    ("9011752131", "16180335", "Roklubben Bølgen", Role::Admin),
];

/// The memberships a new mailbox database starts with.
pub fn seed_memberships() -> Vec<Membership> {
    SEED.iter()
        .filter_map(|(cpr, cvr, name, role)| {
            Some(Membership {
                cpr: Cpr::parse(cpr).ok()?,
                cvr: (*cvr).to_owned(),
                name: (*name).to_owned(),
                role: *role,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_membership_is_well_formed() {
        let seeded = seed_memberships();
        assert_eq!(seeded.len(), SEED.len());
        for membership in seeded {
            assert!(is_cvr(&membership.cvr), "{}", membership.cvr);
        }
    }

    #[test]
    fn a_cvr_number_has_eight_digits_and_its_check_digit() {
        assert!(is_cvr("31415926"));
        assert!(is_cvr("16180335"));
        assert!(!is_cvr("31415927"), "wrong check digit");
        assert!(!is_cvr("3141592"));
        assert!(!is_cvr("314159260"));
        assert!(!is_cvr("3141592a"));
        assert!(!is_cvr("00000000"));
    }

    #[test]
    fn roles_round_trip_their_slug() {
        for role in [Role::Member, Role::Admin] {
            assert_eq!(Role::from_slug(role.slug()), Some(role));
        }
        assert_eq!(Role::from_slug("owner"), None);
    }
}
