//! `GET /letters/{letter_id}/attachments/{n}`: download the letter's `n`th attachment (from 1).
//!
//! Found through the session's mailbox like every other object: another mailbox's attachment
//! is the same 404 as one that does not exist. The response is always a download: one of the
//! four content types an attachment may have (PDF, PNG, JPEG, plain text; the kind was read
//! from the bytes when it was attached), `nosniff` so no browser renders it as anything else,
//! a file name cut down to safe ASCII with the kind's extension, and `no-store` because it is
//! personal data.

use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::in_mailbox::desk;
use crate::app::App;
use crate::logged_in::LoggedIn;
use crate::post::handling;
use crate::post::upload::FileKind;
use crate::problem::respond;

pub async fn download(
    State(app): State<App>,
    LoggedIn(session): LoggedIn,
    Path((letter_id, n)): Path<(String, String)>,
) -> Response {
    let index = n.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
    let found = handling::attachment(&desk(&app, &session), &letter_id, index).map(|attachment| {
        // Anything stored otherwise (never, from this mailbox) downloads as a PDF would have.
        let kind = FileKind::from_media_type(&attachment.media_type).unwrap_or(FileKind::Pdf);
        let disposition = format!(
            "attachment; filename=\"{}\"",
            download_name(&attachment.file_name, kind)
        );
        let disposition = HeaderValue::from_str(&disposition)
            .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"bilag.pdf\""));
        (
            StatusCode::OK,
            [
                (CONTENT_TYPE, HeaderValue::from_static(kind.media_type())),
                (CONTENT_DISPOSITION, disposition),
                (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            attachment.bytes,
        )
            .into_response()
    });
    respond(found, session.lang)
}

/// The file name offered for saving: Danish letters spelled out, anything but ASCII letters,
/// digits, `.`, `-` and `_` replaced, no leading dot, at most 100 characters, ending in an
/// extension of `kind` (`.pdf`, ...). It can then go between quotes in `Content-Disposition`
/// without escaping.
pub fn download_name(file_name: &str, kind: FileKind) -> String {
    let mut name = String::new();
    for c in file_name.chars() {
        match c {
            'æ' => name.push_str("ae"),
            'Æ' => name.push_str("Ae"),
            'ø' => name.push_str("oe"),
            'Ø' => name.push_str("Oe"),
            'å' => name.push_str("aa"),
            'Å' => name.push_str("Aa"),
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') => name.push(c),
            _ => name.push('_'),
        }
    }
    let mut name: String = name.trim_start_matches('.').chars().take(100).collect();
    if name.trim_matches(|c| c == '_' || c == '.').is_empty() {
        name = "bilag".to_owned();
    }
    let lower = name.to_ascii_lowercase();
    if !kind
        .extensions()
        .iter()
        .any(|extension| lower.ends_with(extension))
    {
        name.push_str(kind.extensions()[0]);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::{download_name, FileKind};

    #[test]
    fn download_names_are_safe_ascii_ending_in_pdf() {
        let pdf = FileKind::Pdf;
        assert_eq!(
            download_name("Afgørelse om boligstøtte.pdf", pdf),
            "Afgoerelse_om_boligstoette.pdf"
        );
        assert_eq!(
            download_name("../\"evil\"\r\n.html", pdf),
            "__evil___.html.pdf"
        );
        assert_eq!(download_name("..", pdf), "bilag.pdf");
        assert_eq!(download_name("x".repeat(300).as_str(), pdf).len(), 104);
        assert_eq!(download_name("foto.JPEG", FileKind::Jpeg), "foto.JPEG");
        assert_eq!(download_name("side.html", FileKind::Text), "side.html.txt");
    }
}
