use thiserror::Error;

/// Everything that can go wrong with key material. Messages say what to do where they can.
#[derive(Debug, Error)]
pub enum KeyError {
    #[error("key store I/O at {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("key {kid} could not be read: {reason} (delete it from the key directory to make a new one)")]
    BadKey { kid: String, reason: String },
    #[error("key manifest could not be read: {0}")]
    Manifest(String),
    #[error("key generation failed: {0}")]
    Generate(String),
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("no active {0} key")]
    NoActiveKey(&'static str),
    #[error("no key with kid {0}")]
    UnknownKid(String),
    #[error("key {0} is {1}; only a retired key can be removed")]
    NotRetired(String, &'static str),
    #[error("token is malformed: {0}")]
    Malformed(&'static str),
    #[error("algorithm {0} is not supported")]
    UnsupportedAlg(String),
    #[error("signature does not verify")]
    BadSignature,
    #[error("key store lock poisoned")]
    Poisoned,
    #[error("key store: {0}")]
    Store(String),
}
