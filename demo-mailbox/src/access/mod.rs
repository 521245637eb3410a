//! Access for others (*adgange*) and switching mailboxes: who may open which mailbox, and what
//! they may do there. No HTTP in here; the routes call these types and operations.
//!
//! A logged-in person may open their own mailbox; their business's, when the login carried a
//! MitID Erhverv identity; an association's they are a member of; and any mailbox whose owner
//! or administrator granted them access (with the password handed over). Who administers a
//! business's mailbox: a login that may represent the business (`nemlogin.auth_to_repr`);
//! an association's: a member with the role [`Role::Admin`]. The permission table is
//! [`Access::allows`].
//!
//! This file re-exports the data types, which the [`crate::store`] keeps. The operations use
//! the store and are used by their path: [`desk`] (the person at work in a mailbox, which
//! every operation there starts from, and what it refuses), [`granting`] (the owner's grants)
//! and [`opening`] (a helper opening a grant with its password).

mod activity;
mod capability;
mod cpr;
pub mod desk;
mod grant;
pub mod granting;
mod membership;
pub mod opening;
mod password;

pub use activity::{ActivityAction, ActivityEntry};
pub use capability::{Access, Capability, Helper};
pub use cpr::{Cpr, CprError};
pub use grant::{FolderScope, Grant, GrantId, GrantStatus, Permission};
pub use membership::{is_cvr, seed_memberships, Membership, Role};
pub use password::{AccessPassword, PasswordError};
