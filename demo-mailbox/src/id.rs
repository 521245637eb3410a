//! The one way an id type is declared: [`id_type!`].
//!
//! Mailboxes, folders, letters and grants each have their own id type, so one is never taken
//! for another. All are the text of a random token: an id says nothing about the mailbox, its
//! owner or any other id.

/// Declares an id type: a newtype over the text of a random token, with `random()` (a new id),
/// a constructor from text under the given name and visibility, `as_str()`, and
/// `AsRef<str>` (so [`crate::paths`] can put it in a path without knowing the type).
///
/// ```text
/// id_type! {
///     /// A folder's id.
///     pub struct FolderId;
///     /// An id as it came in a URL or form (it may name no folder).
///     pub fn new;
/// }
/// ```
macro_rules! id_type {
    (
        $(#[$meta:meta])*
        pub struct $name:ident;
        $(#[$from_meta:meta])*
        $from_vis:vis fn $from:ident;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub struct $name(String);

        impl $name {
            /// A new random id.
            pub fn random() -> Self {
                Self($crate::random::random_token())
            }

            $(#[$from_meta])*
            $from_vis fn $from(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

pub(crate) use id_type;
