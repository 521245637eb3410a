//! The authorization error response (RFC 6749 §4.1.2.1): why the broker sent the person back
//! without a code. The broker ends a failed MitID or NemID login with `error=access_denied`
//! and one of its failure codes in `error_description` (its README, "Failures and their error
//! codes"); each gets its own page, so a locked MitID is not reported as a cancel.

/// The longest code shown back to the person, in characters.
const MAX_SHOWN_CODE_CHARS: usize = 100;

/// Why the login ended at the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerFailure {
    /// `mitid_user_aborted`: the person cancelled, or rejected in the app. Also a bare
    /// `access_denied` without a description, as before the broker named its failures.
    UserAborted,
    /// `mitid_unknown_user`: no MitID has the user ID typed.
    UnknownUser,
    /// `nemid_unknown_user`: no NemID has the user ID typed.
    NemidUnknownUser,
    /// `mitid_identity_locked`: the identity is suspended.
    IdentityLocked,
    /// `mitid_identity_revoked`: the identity is revoked.
    IdentityRevoked,
    /// `mitid_approval_expired`: the app did not approve in time.
    ApprovalExpired,
    /// `mitid_authenticator_blocked`: too many wrong codes or passwords; blocked for a while.
    AuthenticatorBlocked,
    /// `mitid_level_not_reachable`: none of the person's authenticators reaches the level.
    LevelNotReachable,
    /// `mitid_cpr_match_failed`: three wrong CPR numbers.
    CprMatchFailed,
    /// `mitid_erhverv_no_identity`: only MitID Erhverv was asked for, and the person has no
    /// business identity.
    ErhvervNoIdentity,
    /// `nemid_key_card_used_up`: the NemID key card has no unused code.
    KeyCardUsedUp,
    /// Any other code: the `error_description` of `access_denied`, else the `error` itself,
    /// as it may be shown (printable ASCII, shortened).
    Other(String),
}

impl BrokerFailure {
    /// The failure an error response names: its `error` and `error_description`.
    pub fn from_response(error: &str, description: Option<&str>) -> Self {
        let description = description.map(str::trim).filter(|text| !text.is_empty());
        if error != "access_denied" {
            return Self::Other(shown(error));
        }
        match description {
            None | Some("mitid_user_aborted") => Self::UserAborted,
            Some("mitid_unknown_user") => Self::UnknownUser,
            Some("nemid_unknown_user") => Self::NemidUnknownUser,
            Some("mitid_identity_locked") => Self::IdentityLocked,
            Some("mitid_identity_revoked") => Self::IdentityRevoked,
            Some("mitid_approval_expired") => Self::ApprovalExpired,
            Some("mitid_authenticator_blocked") => Self::AuthenticatorBlocked,
            Some("mitid_level_not_reachable") => Self::LevelNotReachable,
            Some("mitid_cpr_match_failed") => Self::CprMatchFailed,
            Some("mitid_erhverv_no_identity") => Self::ErhvervNoIdentity,
            Some("nemid_key_card_used_up") => Self::KeyCardUsedUp,
            Some(other) => Self::Other(shown(other)),
        }
    }
}

/// `code` as it may be shown: RFC 6749 allows only printable ASCII in `error` and
/// `error_description`, so anything else is dropped, and it is cut short. (The page escapes
/// it besides.)
fn shown(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(MAX_SHOWN_CODE_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_is_read_by_its_description() {
        assert_eq!(
            BrokerFailure::from_response("access_denied", Some("mitid_identity_locked")),
            BrokerFailure::IdentityLocked
        );
        assert_eq!(
            BrokerFailure::from_response("access_denied", None),
            BrokerFailure::UserAborted
        );
        assert_eq!(
            BrokerFailure::from_response("access_denied", Some("  ")),
            BrokerFailure::UserAborted
        );
        assert_eq!(
            BrokerFailure::from_response("access_denied", Some("mitid_new\u{7}\u{e6}")),
            BrokerFailure::Other("mitid_new".to_owned())
        );
        assert_eq!(
            BrokerFailure::from_response("server_error", Some("mitid_user_aborted")),
            BrokerFailure::Other("server_error".to_owned())
        );
        let long = "x".repeat(500);
        let BrokerFailure::Other(code) = BrokerFailure::from_response("access_denied", Some(&long))
        else {
            panic!("not other");
        };
        assert_eq!(code.len(), MAX_SHOWN_CODE_CHARS);
    }
}
