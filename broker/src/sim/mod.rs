//! The simulator's controls as core functions: what the control API (`web::control`, JSON)
//! and the dashboard (`web::dashboard`, forms) both call, so a control has one implementation
//! whichever door it is used through. Each function checks its input and says what to fix in
//! a [`SimError`]; the doors only parse and render.

pub mod clients;
pub mod decisions;
pub mod devices;
pub mod faults;
pub mod identities;
pub mod instance;
pub mod logins;

use crate::store::StoreError;

/// Why a control could not be used. The message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The input is wrong (400).
    #[error("{0}")]
    BadInput(String),
    /// What it names does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// It clashes with what is there (409), e.g. a key that is still in use.
    #[error("{0}")]
    Conflict(String),
    /// The clock cannot be moved: the broker runs on the real clock (409).
    #[error("this broker runs on the real clock; start it with a controllable clock to move time")]
    ClockNotControllable,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(keys::KeyError),
}

impl From<keys::KeyError> for SimError {
    fn from(e: keys::KeyError) -> SimError {
        match e {
            keys::KeyError::UnknownKid(_) => SimError::NotFound(e.to_string()),
            keys::KeyError::NotRetired(..) => SimError::Conflict(e.to_string()),
            e => SimError::Keys(e),
        }
    }
}

pub type SimResult<T> = Result<T, SimError>;
