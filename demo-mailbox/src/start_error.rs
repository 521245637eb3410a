//! Why the mailbox could not be set up. In a file of its own so that [`crate::app`] (which
//! builds the mailbox) and [`crate::oidc`] (which checks the broker settings) both use it
//! without using each other.

use crate::store::StoreError;

/// Why the mailbox could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// reqwest could not build its client (TLS setup).
    #[error("could not build the HTTP client for talking to the broker: {0}")]
    HttpClient(#[from] reqwest::Error),
    /// `{public_url}/callback` or `/logged-out` is not a usable URL.
    #[error("the public URL {url} does not give usable redirect URIs: {source}")]
    PublicUrl {
        /// The configured public URL.
        url: String,
        /// What failed to parse.
        source: url::ParseError,
    },
    /// The broker's CA file could not be read.
    #[error("could not read the broker's CA certificate {path}: {reason}")]
    BrokerCa {
        /// The configured file.
        path: String,
        /// Why it is unusable.
        reason: String,
    },
    /// The database in the data directory could not be opened.
    #[error("could not open the mailbox database: {0}")]
    Storage(#[from] StoreError),
}
