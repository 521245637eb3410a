//! Every way a request can fail that a person may see, mapped to a status and a readable page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::oidc::{DiscoveryError, LoginError};
use crate::pages::{render, ProblemPage};
use crate::post::{ComposeError, FolderNameError};
use crate::store::StoreError;

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
    /// A form came without the session's CSRF token, or with the wrong one.
    CsrfRejected,
    /// No such letter or folder in the person's mailbox. Said the same way whether it does not
    /// exist or belongs to someone else, so a refusal reveals nothing.
    NotFound,
    /// A form's fields are missing or malformed.
    BadForm,
    /// An own folder's new name was refused.
    BadFolderName(FolderNameError),
    /// Another own folder already has that name.
    FolderNameTaken,
    /// A folder with letters in it cannot be deleted.
    FolderNotEmpty,
    /// Standard folders cannot be renamed or deleted.
    StandardFolder,
    /// Only a letter in "Slettet" can be deleted for good.
    NotInDeleted,
    /// A letter's fields were refused (what to fix is in the message).
    BadLetter(ComposeError),
    /// The sender of the letter does not accept replies.
    RepliesNotAccepted,
    /// Only a letter in "Kladder" can be sent as a draft.
    NotADraft,
    /// The database failed.
    Storage(StoreError),
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
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadForm | Self::BadFolderName(_) | Self::BadLetter(_) => StatusCode::BAD_REQUEST,
            Self::RepliesNotAccepted
            | Self::NotADraft
            | Self::FolderNameTaken
            | Self::FolderNotEmpty
            | Self::StandardFolder
            | Self::NotInDeleted => StatusCode::CONFLICT,
            Self::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
            Self::NotFound => (
                "Ikke fundet / Not found",
                "Det findes ikke i din postkasse. / It is not in your mailbox.",
            ),
            Self::BadForm => (
                "Ugyldig formular / Invalid form",
                "Formularen manglede noget. Gå tilbage og prøv igen. / The form was missing something. Go back and try again.",
            ),
            Self::BadFolderName(FolderNameError::Empty) => (
                "Mappen skal have et navn / The folder needs a name",
                "Skriv et navn på mappen. / Type a name for the folder.",
            ),
            Self::BadFolderName(FolderNameError::TooLong) => (
                "Navnet er for langt / The name is too long",
                "Brug højst 60 tegn. / Use at most 60 characters.",
            ),
            Self::BadFolderName(FolderNameError::ControlCharacter) => (
                "Ugyldigt navn / Invalid name",
                "Navnet må ikke indeholde linjeskift eller andre kontroltegn. / The name may not hold line breaks or other control characters.",
            ),
            Self::BadFolderName(FolderNameError::Reserved) | Self::FolderNameTaken => (
                "Navnet er optaget / The name is taken",
                "Der findes allerede en mappe med det navn. Vælg et andet. / A folder with that name exists. Choose another.",
            ),
            Self::FolderNotEmpty => (
                "Mappen er ikke tom / The folder is not empty",
                "Flyt eller slet brevene i mappen først. / Move or delete the letters in the folder first.",
            ),
            Self::StandardFolder => (
                "Standardmappe / Standard folder",
                "Indbakke, Sendt, Kladder og Slettet kan ikke omdøbes eller slettes. / Inbox, Sent, Drafts and Deleted cannot be renamed or deleted.",
            ),
            Self::NotInDeleted => (
                "Brevet er ikke slettet / The letter is not deleted",
                "Kun breve i Slettet kan slettes permanent. Slet brevet først. / Only letters in Deleted can be deleted for good. Delete the letter first.",
            ),
            Self::BadLetter(error) => compose_text(*error),
            Self::RepliesNotAccepted => (
                "Svar ikke muligt / Replies not accepted",
                "Afsenderen modtager ikke svar på dette brev. Skriv et nyt brev i stedet. / The sender does not accept replies to this letter. Write a new letter instead.",
            ),
            Self::NotADraft => (
                "Ikke en kladde / Not a draft",
                "Kun breve i Kladder kan sendes herfra. / Only letters in Drafts can be sent from here.",
            ),
            Self::Storage(_) => (
                "Der opstod en fejl / Something went wrong",
                "Postkassen kunne ikke gemme eller hente data. Prøv igen om lidt. / The mailbox could not save or fetch data. Please try again shortly.",
            ),
        }
    }
}

/// Heading and message for a refused letter field, Danish then English.
fn compose_text(error: ComposeError) -> (&'static str, &'static str) {
    match error {
        ComposeError::SubjectEmpty => (
            "Emne mangler / Subject missing",
            "Skriv et emne. / Type a subject.",
        ),
        ComposeError::SubjectTooLong => (
            "Emnet er for langt / The subject is too long",
            "Brug højst 200 tegn i emnet. / Use at most 200 characters in the subject.",
        ),
        ComposeError::SubjectControl => (
            "Ugyldigt emne / Invalid subject",
            "Emnet skal stå på én linje. / The subject must be on one line.",
        ),
        ComposeError::BodyEmpty => (
            "Teksten mangler / Text missing",
            "Skriv en tekst til brevet. / Type the text of the letter.",
        ),
        ComposeError::BodyTooLong => (
            "Teksten er for lang / The text is too long",
            "Brug højst 20.000 tegn. / Use at most 20,000 characters.",
        ),
        ComposeError::UnknownAuthority => (
            "Ukendt myndighed / Unknown authority",
            "Vælg en myndighed fra listen. / Choose an authority from the list.",
        ),
        ComposeError::BadRecipient => (
            "Ugyldig modtager / Invalid recipient",
            "Skriv et CPR-nummer (10 cifre), en postkasseadresse som cpr:6101701234, eller en e-mailadresse. / Type a CPR number (10 digits), a mailbox address such as cpr:6101701234, or an e-mail address.",
        ),
        ComposeError::BadAttachment => (
            "Ugyldigt bilag / Invalid attachment",
            "Bilaget skal være en PDF på højst 512 kB. / The attachment must be a PDF of at most 512 kB.",
        ),
    }
}

impl Problem {
    /// Whether logging in again is the way out (login and callback failures).
    fn is_about_login(&self) -> bool {
        matches!(
            self,
            Self::LoginCancelled
                | Self::BrokerRefusedLogin
                | Self::BadCallbackQuery
                | Self::NoLoginInProgress
                | Self::StateMismatch
                | Self::IssuerMismatch
                | Self::CodeMissing
                | Self::BrokerUnavailable(_)
                | Self::LoginFailed(_)
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        match &self {
            Self::BrokerUnavailable(error) => tracing::warn!(%error, "broker discovery failed"),
            Self::LoginFailed(error) => tracing::warn!(%error, "login failed"),
            Self::Storage(error) => tracing::error!(%error, "the mailbox store failed"),
            other => tracing::info!(problem = ?other, "request refused"),
        }
        let (heading, message) = self.text();
        let offer_login = self.is_about_login();
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
