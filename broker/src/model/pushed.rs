use serde::{Deserialize, Serialize};

use super::ClientId;

/// A pushed authorization request (RFC 9126): the parameters a client sent to `/par`, bound to
/// it, kept until its `request_uri` is used once or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedRequest {
    pub client_id: ClientId,
    /// The request's parameters, form-urlencoded.
    pub params: String,
    pub expires_at: i64,
}
