//! Every way a request can fail that a person may see, mapped to a status and a readable page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::oidc::{DiscoveryError, LoginError};
use crate::pages::{render, ProblemPage};

/// A failure shown to the person as a page (never a panic, never a stack of details).
#[derive(Debug)]
pub enum Problem {
    /// The person cancelled at the broker (`error=access_denied`).
    LoginCancelled,
    /// The broker answered the login with another OAuth error code.
    BrokerRefusedLogin,
    /// The callback's query string is malformed (e.g. a parameter given twice).
    BadCallbackQuery,
    /// No login was started in this browser, or it took too long.
    NoLoginInProgress,
    /// `state` is missing or does not match this browser's login.
    StateMismatch,
    /// `iss` is missing or not the broker's issuer (RFC 9207).
    IssuerMismatch,
    /// The callback has no `code`.
    CodeMissing,
    /// The broker could not be discovered.
    BrokerUnavailable(DiscoveryError),
    /// The code could not be turned into a verified login.
    LoginFailed(LoginError),
    /// The logout form came without its CSRF token, or with the wrong one.
    CsrfRejected,
}

impl Problem {
    fn status(&self) -> StatusCode {
        match self {
            Self::LoginCancelled => StatusCode::OK,
            Self::BrokerRefusedLogin
            | Self::BadCallbackQuery
            | Self::NoLoginInProgress
            | Self::StateMismatch
            | Self::IssuerMismatch
            | Self::CodeMissing => StatusCode::BAD_REQUEST,
            Self::BrokerUnavailable(_) => StatusCode::BAD_GATEWAY,
            Self::LoginFailed(LoginError::AssuranceTooLow { .. }) | Self::CsrfRejected => {
                StatusCode::FORBIDDEN
            }
            Self::LoginFailed(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// Heading and message, Danish then English.
    fn text(&self) -> (&'static str, &'static str) {
        match self {
            Self::LoginCancelled => (
                "Login afbrudt / Login cancelled",
                "Du afbrød login. / You cancelled the login.",
            ),
            Self::BrokerRefusedLogin => (
                "Login mislykkedes / Login failed",
                "Login-tjenesten afviste login. Prøv igen. / The login service refused the login. Please try again.",
            ),
            Self::BadCallbackQuery | Self::CodeMissing => (
                "Ugyldigt svar / Invalid response",
                "Svaret fra login-tjenesten var ufuldstændigt. Start login forfra. / The response from the login service was incomplete. Please start the login again.",
            ),
            Self::NoLoginInProgress => (
                "Intet login i gang / No login in progress",
                "Dette login blev ikke startet i denne browser, eller det tog for lang tid. Start login forfra. / This login was not started in this browser, or it took too long. Please start the login again.",
            ),
            Self::StateMismatch => (
                "Login afvist / Login refused",
                "Svaret hører ikke til det login, der blev startet i denne browser. Start login forfra. / The response does not belong to the login started in this browser. Please start the login again.",
            ),
            Self::IssuerMismatch => (
                "Login afvist / Login refused",
                "Svaret kom ikke fra den forventede login-tjeneste. Start login forfra. / The response did not come from the expected login service. Please start the login again.",
            ),
            Self::BrokerUnavailable(_) => (
                "Login-tjenesten svarer ikke / Login service unavailable",
                "Login-tjenesten kan ikke nås lige nu. Prøv igen om lidt. / The login service cannot be reached right now. Please try again shortly.",
            ),
            Self::LoginFailed(LoginError::AssuranceTooLow { .. }) => (
                "For lavt sikringsniveau / Level of assurance too low",
                "Digital Post kræver login på betydeligt (Substantial) eller højt niveau. Log ind igen med MitID. / Digital Post needs a login at level Substantial or High. Please log in again with MitID.",
            ),
            Self::LoginFailed(_) => (
                "Login mislykkedes / Login failed",
                "Svaret fra login-tjenesten kunne ikke godkendes. Start login forfra. / The response from the login service could not be accepted. Please start the login again.",
            ),
            Self::CsrfRejected => (
                "Handling afvist / Action refused",
                "Formularen var udløbet eller ugyldig. Gå tilbage til forsiden og prøv igen. / The form was stale or invalid. Go back to the front page and try again.",
            ),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        match &self {
            Self::BrokerUnavailable(error) => tracing::warn!(%error, "broker discovery failed"),
            Self::LoginFailed(error) => tracing::warn!(%error, "login failed"),
            other => tracing::info!(problem = ?other, "request refused"),
        }
        let (heading, message) = self.text();
        let offer_login = !matches!(self, Self::CsrfRejected);
        render(
            self.status(),
            &ProblemPage {
                heading,
                message,
                offer_login,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_login_is_a_plain_page_with_a_way_back() {
        let response = Problem::LoginCancelled.into_response();
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[test]
    fn low_assurance_is_forbidden_and_bad_state_is_bad_request() {
        let low = Problem::LoginFailed(LoginError::AssuranceTooLow { found: None });
        assert_eq!(low.into_response().status(), StatusCode::FORBIDDEN);
        assert_eq!(
            Problem::StateMismatch.into_response().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            Problem::IssuerMismatch.into_response().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            Problem::LoginFailed(LoginError::NoIdToken)
                .into_response()
                .status(),
            StatusCode::BAD_GATEWAY
        );
    }
}
