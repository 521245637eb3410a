//! `idp_values` (Signaturgruppen's parameter): the identity providers the client accepts, in
//! its order of preference. An unknown value is refused, as the broker does ("Requested IDP is
//! not enabled for this client").

use crate::error::OAuthError;
use crate::model::Idp;
use crate::oidc::Params;

pub fn check(params: &Params) -> Result<Vec<Idp>, OAuthError> {
    let mut idps = Vec::new();
    for value in params.get("idp_values").unwrap_or("").split_whitespace() {
        let idp = Idp::parse(value).ok_or_else(|| {
            OAuthError::invalid_request(format!(
                "idp_values names {value}, which is not enabled; use mitid, mitid_erhverv or nemid"
            ))
        })?;
        if !idps.contains(&idp) {
            idps.push(idp);
        }
    }
    Ok(idps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idp_values_keep_the_order_of_preference() {
        let p = Params::parse(b"idp_values=mitid_erhverv+mitid+mitid_erhverv");
        assert_eq!(check(&p).unwrap(), vec![Idp::MitidErhverv, Idp::Mitid]);
        assert!(check(&Params::parse(b"")).unwrap().is_empty());
    }

    #[test]
    fn an_unknown_idp_is_invalid_request() {
        let e = check(&Params::parse(b"idp_values=eboks")).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidRequest);
    }
}
