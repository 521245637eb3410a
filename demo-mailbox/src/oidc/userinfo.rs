//! The UserInfo request (OpenID Connect Core §5.3): the person's name, CPR number and, after
//! a MitID Erhverv login, the business.

use std::ops::Deref;

use openidconnect::core::{CoreGenderClaim, CoreTokenResponse};
use openidconnect::{
    EndUserFamilyName, EndUserGivenName, EndUserName, LocalizedClaim, OAuth2TokenResponse,
    SubjectIdentifier, UserInfoClaims,
};

use super::extra_claims::MitIdUserInfo;
use super::{Provider, RelyingParty};

/// What userinfo said about the person.
pub struct UserInfo {
    /// The name (`name`, else `given_name family_name`).
    pub name: Option<String>,
    /// `dk.cpr`, as sent.
    pub cpr: Option<String>,
    /// `nemlogin.cvr` and `nemlogin.org_name`, when both were sent.
    pub business: Option<(String, String)>,
    /// `nemlogin.auth_to_repr`: the person may represent the business.
    pub may_represent: bool,
}

impl RelyingParty {
    /// The person's claims from the userinfo endpoint. The response's `sub` must be `sub`
    /// (Core §5.3.2).
    pub(super) async fn fetch_userinfo(
        &self,
        provider: &Provider,
        token_response: &CoreTokenResponse,
        sub: &str,
    ) -> Result<UserInfo, String> {
        let claims: UserInfoClaims<MitIdUserInfo, CoreGenderClaim> = provider
            .client
            .user_info(
                token_response.access_token().clone(),
                Some(SubjectIdentifier::new(sub.to_owned())),
            )
            .map_err(|error| error.to_string())?
            .request_async(&self.http)
            .await
            .map_err(|error| error.to_string())?;
        let name = name_claims(claims.name(), claims.given_name(), claims.family_name());
        let extra = claims.additional_claims();
        let business = match (
            non_empty(extra.cvr.as_deref()),
            non_empty(extra.org_name.as_deref()),
        ) {
            (Some(cvr), Some(org_name)) => Some((cvr.to_owned(), org_name.to_owned())),
            _ => None,
        };
        Ok(UserInfo {
            name,
            cpr: non_empty(extra.cpr.as_deref()).map(str::to_owned),
            business,
            may_represent: extra.auth_to_repr == Some(true),
        })
    }
}

/// The display name from the standard name claims of an ID token or a userinfo response, in
/// their default locale: see [`display_name`].
pub fn name_claims(
    name: Option<&LocalizedClaim<EndUserName>>,
    given_name: Option<&LocalizedClaim<EndUserGivenName>>,
    family_name: Option<&LocalizedClaim<EndUserFamilyName>>,
) -> Option<String> {
    display_name(
        default_locale(name),
        default_locale(given_name),
        default_locale(family_name),
    )
}

/// A localized claim's value without a language tag.
fn default_locale<T: Deref<Target = String>>(claim: Option<&LocalizedClaim<T>>) -> Option<&str> {
    claim
        .and_then(|claim| claim.get(None))
        .map(|value| value.as_str())
}

/// `name`, else "given family", else whichever of the two exists.
pub fn display_name(
    name: Option<&str>,
    given_name: Option<&str>,
    family_name: Option<&str>,
) -> Option<String> {
    if let Some(name) = non_empty(name) {
        return Some(name.to_owned());
    }
    match (non_empty(given_name), non_empty(family_name)) {
        (Some(given), Some(family)) => Some(format!("{given} {family}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_wins_then_given_and_family() {
        assert_eq!(
            display_name(Some("Ib Ø"), Some("X"), Some("Y")).as_deref(),
            Some("Ib Ø")
        );
        assert_eq!(
            display_name(None, Some("Ib"), Some("Ø")).as_deref(),
            Some("Ib Ø")
        );
        assert_eq!(
            display_name(Some(" "), None, Some("Ø")).as_deref(),
            Some("Ø")
        );
        assert_eq!(display_name(None, None, None), None);
    }
}
