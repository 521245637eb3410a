//! Files a person attaches when writing or replying: at most [`MAX_UPLOADS`] of at most
//! [`MAX_UPLOAD_BYTES`] each, and only PDF, PNG, JPEG or plain text. The kind is read from the
//! file's first bytes, never taken from the browser's word for it, and the file name's
//! extension must agree with it (a page saved as `.txt` stays text; `x.pdf` holding HTML is
//! refused).

use super::compose::ComposeError;
use super::letter::Attachment;

/// The largest file a person may attach, in bytes (5 MB).
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// The most files one letter may carry from the write or reply form.
pub const MAX_UPLOADS: usize = 3;
/// The longest attachment file name kept, in characters.
const MAX_FILE_NAME_CHARS: usize = 100;

/// A file as a form sent it, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file name the browser gave.
    pub file_name: String,
    /// Its bytes (at most [`MAX_UPLOAD_BYTES`]; the rest of a larger file is not kept).
    pub bytes: Vec<u8>,
    /// Whether it was larger than [`MAX_UPLOAD_BYTES`].
    pub too_large: bool,
}

/// The kinds of file one may attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `application/pdf`.
    Pdf,
    /// `image/png`.
    Png,
    /// `image/jpeg`.
    Jpeg,
    /// `text/plain`, UTF-8.
    Text,
}

impl FileKind {
    /// Every kind.
    pub const ALL: [FileKind; 4] = [Self::Pdf, Self::Png, Self::Jpeg, Self::Text];

    /// The media type stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Text => "text/plain; charset=utf-8",
        }
    }

    /// The kind stored as `media_type`, if it is one of these.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.media_type() == media_type)
    }

    /// The file name extensions of the kind, the first the one a download gets.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &[".pdf"],
            Self::Png => &[".png"],
            Self::Jpeg => &[".jpg", ".jpeg"],
            Self::Text => &[".txt"],
        }
    }

    /// How the letter page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Text => "TXT",
        }
    }

    /// The kind `bytes` are, by their first bytes: a PDF, PNG or JPEG signature, or else UTF-8
    /// text without NUL or other control characters than tab, line breaks and form feed.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            let text = std::str::from_utf8(bytes).ok()?;
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
                .then_some(Self::Text)
        }
    }
}

/// The file name to keep: the last part of a path some browsers send, without control
/// characters, trimmed, at most 100 characters.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_FILE_NAME_CHARS)
        .collect()
}

/// The attachments `uploads` make, every one checked: the count, each size, each kind.
pub fn check_uploads(uploads: &[Upload]) -> Result<Vec<Attachment>, ComposeError> {
    if uploads.len() > MAX_UPLOADS {
        return Err(ComposeError::TooManyFiles);
    }
    uploads.iter().map(check_upload).collect()
}

fn check_upload(upload: &Upload) -> Result<Attachment, ComposeError> {
    if upload.too_large || upload.bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ComposeError::FileTooLarge);
    }
    if upload.bytes.is_empty() {
        return Err(ComposeError::FileEmpty);
    }
    let kind = FileKind::sniff(&upload.bytes).ok_or(ComposeError::FileTypeNotAllowed)?;
    let name = clean_name(&upload.file_name);
    let lower = name.to_lowercase();
    let stem_left = kind
        .extensions()
        .iter()
        .any(|extension| lower.len() > extension.len() && lower.ends_with(extension));
    if !stem_left {
        return Err(ComposeError::FileTypeNotAllowed);
    }
    Ok(Attachment {
        file_name: name,
        media_type: kind.media_type().to_owned(),
        size_bytes: u64::try_from(upload.bytes.len()).unwrap_or(u64::MAX),
        bytes: upload.bytes.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            file_name: name.to_owned(),
            bytes: bytes.to_vec(),
            too_large: false,
        }
    }

    #[test]
    fn the_kind_is_read_from_the_bytes_and_the_name_must_agree() {
        let png = b"\x89PNG\r\n\x1a\nrest";
        let checked = check_uploads(&[
            upload("Kvittering.PDF", b"%PDF-1.4 x"),
            upload("C:\\fakepath\\foto.png", png),
            upload("brev.txt", "Hej æøå\r\n".as_bytes()),
        ])
        .unwrap();
        let types: Vec<&str> = checked.iter().map(|a| a.media_type.as_str()).collect();
        assert_eq!(
            types,
            ["application/pdf", "image/png", "text/plain; charset=utf-8"]
        );
        assert_eq!(checked[1].file_name, "foto.png");
        assert_eq!(checked[0].size_bytes, 10);

        for refused in [
            upload("side.pdf", b"<html><script>"),
            upload("side.html", b"<html>"),
            upload("foto.txt", png),
            upload("binary.txt", b"a\0b"),
            upload(".pdf", b"%PDF-1.4"),
            upload("program.exe", b"MZ\x90\0"),
        ] {
            assert_eq!(
                check_uploads(std::slice::from_ref(&refused)),
                Err(ComposeError::FileTypeNotAllowed),
                "{}",
                refused.file_name
            );
        }
        assert_eq!(
            check_uploads(&[upload("tom.pdf", b"")]),
            Err(ComposeError::FileEmpty)
        );
    }

    #[test]
    fn at_most_three_files_of_five_mb() {
        let pdf = upload("a.pdf", b"%PDF-1.4");
        assert_eq!(
            check_uploads(&vec![pdf.clone(); 4]),
            Err(ComposeError::TooManyFiles)
        );
        assert!(check_uploads(&vec![pdf.clone(); 3]).is_ok());
        let mut big = upload("stor.pdf", b"%PDF-1.4");
        big.bytes.resize(MAX_UPLOAD_BYTES, b' ');
        assert!(check_uploads(std::slice::from_ref(&big)).is_ok());
        big.too_large = true;
        assert_eq!(check_uploads(&[big]), Err(ComposeError::FileTooLarge));
    }
}
