use serde::{Deserialize, Serialize};

/// A MitID Erhverv (business) identity tied to a person: who they are when they log in on
/// behalf of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessIdentity {
    /// The organisation's CVR number (8 digits).
    pub cvr: String,
    pub organisation_name: String,
    pub role: BusinessRole,
    /// The employee's RID number (legacy NemID employee certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    /// The persistent professional UUID of this business identity.
    pub professional_uuid: String,
}

/// What the person may do for the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessRole {
    Employee,
    /// A company signatory (*ledelsesrepræsentant*): authorised to represent the organisation.
    Signatory,
}

/// A person's legacy NemID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NemId {
    /// The personal certificate's PID (format `9208-2002-2-<12 digits>`, unverified).
    pub pid: String,
    /// The seed the person's key card is generated from (`mitid::KeyCard::generate`); none
    /// when the person has no key card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_card_seed: Option<u64>,
}
