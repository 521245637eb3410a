//! A simulated CPR register of fictitious people, for the Citizen Service caseworker: every
//! *replacement number* (day of month + 60, never issued to a real person) is a person whose
//! name, address and parents follow from the number's digits, the same on every run and every
//! machine. The date of birth and sex are the ones the number encodes. Any other number is not
//! in the simulated register, so nothing here can describe a real person.
//!
//! The names are common Danish names and the streets are this simulator's own (`Simulatorvej`,
//! `Testgade`...), so an address never points at a real home.

use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::Date;

use crate::mitid::{Cpr, Sex};
use crate::model::Address;

/// A person's entry in the simulated register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterPerson {
    pub cpr: Cpr,
    pub given_name: String,
    pub family_name: String,
    pub sex: Sex,
    #[serde(with = "iso_date")]
    pub date_of_birth: Date,
    pub address: Address,
    pub place_of_birth: String,
    pub mother: Parent,
    pub father: Parent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parent {
    pub given_name: String,
    pub family_name: String,
}

impl RegisterPerson {
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// `YYYY-MM-DD`.
    pub fn birthdate(&self) -> String {
        iso(self.date_of_birth)
    }
}

/// `YYYY-MM-DD`.
pub fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

mod iso_date {
    pub fn serialize<S: serde::Serializer>(date: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::iso(*date))
    }
}

const FEMALE: &[&str] = &[
    "Anne",
    "Kirsten",
    "Mette",
    "Hanne",
    "Helle",
    "Susanne",
    "Lene",
    "Maria",
    "Marianne",
    "Lone",
    "Camilla",
    "Louise",
    "Charlotte",
    "Pia",
    "Tina",
    "Julie",
    "Emma",
    "Ida",
    "Sofie",
    "Freja",
    "Karen",
    "Inge",
    "Birgitte",
    "Rikke",
];
const MALE: &[&str] = &[
    "Peter",
    "Jens",
    "Lars",
    "Michael",
    "Henrik",
    "Søren",
    "Thomas",
    "Jan",
    "Niels",
    "Morten",
    "Jesper",
    "Anders",
    "Rasmus",
    "Christian",
    "Martin",
    "Mads",
    "Frederik",
    "Mikkel",
    "Jonas",
    "Oliver",
    "Ole",
    "Poul",
    "Erik",
    "Torben",
];
const FAMILY: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
];
/// The simulator's own street names (as in the seeded identities' addresses).
const STREETS: &[&str] = &[
    "Simulatorvej",
    "Testgade",
    "Prøvestien",
    "Eksempelvej",
    "Fiktivvej",
    "Modelgade",
    "Attrapvej",
    "Øvelsesallé",
    "Demostræde",
    "Kopivej",
    "Skyggevej",
    "Pseudonymgade",
];
const TOWNS: &[(&str, &str)] = &[
    ("1050", "København K"),
    ("2100", "København Ø"),
    ("2300", "København S"),
    ("2700", "Brønshøj"),
    ("3000", "Helsingør"),
    ("4000", "Roskilde"),
    ("5000", "Odense C"),
    ("6000", "Kolding"),
    ("6700", "Esbjerg"),
    ("7100", "Vejle"),
    ("8000", "Aarhus C"),
    ("8900", "Randers C"),
    ("9000", "Aalborg"),
    ("9800", "Hjørring"),
];
const BIRTHPLACES: &[&str] = &[
    "København",
    "Aarhus",
    "Odense",
    "Aalborg",
    "Esbjerg",
    "Randers",
    "Kolding",
    "Horsens",
    "Vejle",
    "Roskilde",
    "Herning",
    "Silkeborg",
    "Næstved",
    "Viborg",
];

/// Picks from the digest: each call takes the next two bytes.
struct Picker {
    digest: [u8; 32],
    at: usize,
}

impl Picker {
    fn new(cpr: &Cpr) -> Picker {
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&Sha256::digest(
            format!("simulated-cpr-register|{}", cpr.to_digits()).as_bytes(),
        ));
        Picker { digest, at: 0 }
    }

    fn number(&mut self, below: usize) -> usize {
        let i = self.at % 31;
        self.at += 2;
        let n = usize::from(u16::from_be_bytes([self.digest[i], self.digest[i + 1]]));
        n % below.max(1)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list.get(self.number(list.len())).copied().unwrap_or("")
    }
}

/// The person with this CPR number in the simulated register; `None` for a number that is not
/// a replacement number (the register holds only those).
pub fn lookup(cpr: Cpr) -> Option<RegisterPerson> {
    if !cpr.is_replacement() {
        return None;
    }
    let mut p = Picker::new(&cpr);
    let sex = cpr.sex();
    let given_name = match sex {
        Sex::Female => p.pick(FEMALE),
        Sex::Male => p.pick(MALE),
    }
    .to_string();
    let family_name = p.pick(FAMILY).to_string();
    let mother_family = p.pick(FAMILY).to_string();
    let mother = Parent {
        given_name: p.pick(FEMALE).to_string(),
        family_name: mother_family,
    };
    let father = Parent {
        given_name: p.pick(MALE).to_string(),
        family_name: family_name.clone(),
    };
    let street = p.pick(STREETS);
    let number = p.number(98) + 1;
    let (postal_code, town) = TOWNS
        .get(p.number(TOWNS.len()))
        .copied()
        .unwrap_or(("8000", "Aarhus C"));
    let place_of_birth = p.pick(BIRTHPLACES).to_string();
    Some(RegisterPerson {
        cpr,
        given_name,
        family_name,
        sex,
        date_of_birth: cpr.date_of_birth(),
        address: Address {
            street_address: Some(format!("{street} {number}")),
            postal_code: Some(postal_code.into()),
            locality: Some(town.into()),
            country: Some("DK".into()),
        },
        place_of_birth,
        mother,
        father,
    })
}

/// A CPR number of a fictitious adult in the register (a random replacement number born
/// 1945-2005), for trying the Citizen Service pages.
pub fn random_person<R: Rng + ?Sized>(rng: &mut R) -> Option<Cpr> {
    let year = rng.gen_range(1945..=2005);
    let day_of_year = rng.gen_range(1..=365u16);
    let born = Date::from_ordinal_date(year, day_of_year).ok()?;
    let sex = if rng.gen_bool(0.5) {
        Sex::Female
    } else {
        Sex::Male
    };
    Cpr::generate_replacement(born, sex, rng).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn cpr(text: &str) -> Cpr {
        Cpr::parse(text).unwrap()
    }

    #[test]
    fn only_replacement_numbers_are_in_the_register() {
        assert!(lookup(cpr("120490-1236")).is_none(), "an ordinary number");
        assert!(lookup(cpr("720490-1236")).is_some());
    }

    #[test]
    fn a_person_is_the_same_on_every_lookup_and_differs_between_numbers() {
        let a = lookup(cpr("720490-1236")).unwrap();
        assert_eq!(lookup(cpr("7204901236")).unwrap(), a);
        let mut others = 0;
        for serial in 1000..1040 {
            let other = lookup(cpr(&format!("720490{serial}"))).unwrap();
            if (other.name(), &other.mother, &other.address) != (a.name(), &a.mother, &a.address) {
                others += 1;
            }
        }
        assert!(
            others >= 38,
            "the digits decide the person: {others} of 40 differ"
        );
    }

    #[test]
    fn date_of_birth_and_sex_come_from_the_cpr_and_the_names_follow_the_sex() {
        for serial in 1000..1100 {
            let number = cpr(&format!("630101{serial}"));
            let person = lookup(number).unwrap();
            assert_eq!(person.date_of_birth, number.date_of_birth());
            assert_eq!(person.birthdate(), "1901-01-03");
            assert_eq!(person.sex, number.sex());
            let names = match person.sex {
                Sex::Female => FEMALE,
                Sex::Male => MALE,
            };
            assert!(names.contains(&person.given_name.as_str()));
            assert!(FEMALE.contains(&person.mother.given_name.as_str()));
            assert!(MALE.contains(&person.father.given_name.as_str()));
            assert_eq!(person.father.family_name, person.family_name);
            let address = &person.address;
            assert!(STREETS.iter().any(|s| address
                .street_address
                .as_deref()
                .unwrap()
                .starts_with(s)));
            assert_eq!(address.postal_code.as_deref().map(str::len), Some(4));
        }
    }

    #[test]
    fn random_people_are_adults_with_replacement_numbers_in_the_register() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..100 {
            let number = random_person(&mut rng).unwrap();
            assert!(number.is_replacement());
            assert!((1945..=2005).contains(&number.date_of_birth().year()));
            assert!(lookup(number).is_some());
        }
    }
}
