//! Simulated association memberships: which people may open an association's (*forening*)
//! mailbox. In Digital Post the association gives its members access; here a few test
//! people are members from the start (fictitious associations, valid-looking CVR numbers).

use super::cpr::Cpr;

/// A person's membership of an association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The member.
    pub cpr: Cpr,
    /// The association's CVR number (its mailbox is `association:{cvr}`).
    pub cvr: String,
    /// The association's name.
    pub name: String,
}

/// (CPR of a seeded test person, association CVR, association name).
const SEED: [(&str, &str, &str); 3] = [
    // anna
    ("7204901236", "31415926", "Grundejerforeningen Solsikken"),
    // dorthe
    ("8107680342", "31415926", "Grundejerforeningen Solsikken"),
    // bo
    ("9011752131", "16180335", "Roklubben Bølgen"),
];

/// The memberships every mailbox starts with.
pub fn seed_memberships() -> Vec<Membership> {
    SEED.iter()
        .filter_map(|(cpr, cvr, name)| {
            Some(Membership {
                cpr: Cpr::parse(cpr).ok()?,
                cvr: (*cvr).to_owned(),
                name: (*name).to_owned(),
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
            assert_eq!(membership.cvr.len(), 8);
            // CVR numbers carry a modulus-11 check digit.
            let sum: u32 = membership
                .cvr
                .chars()
                .zip([2, 7, 6, 5, 4, 3, 2, 1])
                .map(|(digit, weight)| digit.to_digit(10).unwrap() * weight)
                .sum();
            assert_eq!(sum % 11, 0, "{}", membership.cvr);
        }
    }
}
