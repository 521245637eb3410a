//! Access for others (*adgange*) and switching mailboxes: who may open which mailbox, and what
//! they may do there. No HTTP in here; the routes call these types and the [`crate::store`].
//!
//! A logged-in person may open their own mailbox; their business's, when the login carried a
//! MitID Erhverv identity; an association's they are a member of; and another person's that
//! granted them access (with the password the owner handed over). The permission table is
//! [`Access::allows`].

mod activity;
mod capability;
mod cpr;
mod grant;
mod membership;
mod opening;
mod password;

pub use activity::{ActivityAction, ActivityEntry};
pub use capability::{Access, Capability, Helper};
pub use cpr::{Cpr, CprError};
pub use grant::{FolderScope, Grant, GrantId, GrantStatus, Permission};
pub use membership::{is_cvr, seed_memberships, Membership, Role};
pub use opening::{open_grant, Opening};
pub use password::{AccessPassword, PasswordError};
