//! `client_id` must name a registered client (RFC 6749 4.1.1).

use crate::app::Broker;
use crate::error::OAuthError;
use crate::model::{Client, ClientId};
use crate::oidc::Params;

pub fn check(broker: &Broker, params: &Params) -> Result<Client, OAuthError> {
    if params.is_repeated("client_id") {
        return Err(OAuthError::invalid_request(
            "client_id was sent more than once",
        ));
    }
    let id = params
        .get("client_id")
        .ok_or_else(|| OAuthError::invalid_request("client_id is missing"))?;
    broker
        .store
        .clients
        .get(&ClientId::new(id))?
        .ok_or_else(|| {
            OAuthError::invalid_request("client_id is not registered at this broker")
                .with_detail(format!("unknown client_id {id:?}"))
        })
}
