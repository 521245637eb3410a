use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                $name(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_newtype!(
    /// OAuth `client_id`.
    ClientId
);
id_newtype!(
    /// The name a person types to log in (MitID "bruger-ID").
    UserId
);
id_newtype!(
    /// An identity's stable UUID (the MitID UUID); the public `sub`.
    IdentityId
);
id_newtype!(
    /// A parked login transaction; random and unguessable.
    TxnId
);
id_newtype!(
    /// The public id of a broker session, sent as the `sid` claim.
    Sid
);
id_newtype!(
    /// One authorization: a code and every token it led to. Revoked together.
    GrantId
);
id_newtype!(
    /// A Citizen Service case (a person getting MitID in person); random and unguessable.
    CaseId
);
