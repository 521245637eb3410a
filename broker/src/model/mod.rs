//! The broker's data: what is stored, named after the spec concepts.

mod client;
mod grant;
mod identity;
mod ids;
mod level;
mod login;

pub use client::{AuthMethod, Client, SubjectType};
pub use grant::{AccessToken, AuthCode, Grant, RefreshToken, Session};
pub use identity::{Address, Identity, IdentityRule};
pub use ids::{ClientId, GrantId, IdentityId, Sid, TxnId, UserId};
pub use level::Level;
pub use login::{
    AuthRequest, DecisionOutcome, DecisionSource, LoginStatus, LoginTxn, Prompt, QueuedDecision,
};
