//! One-time notices: what an action did, shown once on the page the person lands on after it
//! ("Brevet er sendt."). A notice is kept server-side with the session (never in the URL)
//! until the next page of the mailbox is shown, and is put in words only then, in the page's
//! language. Names in it (a folder's, a helper's) are the person's own text: the pages escape
//! them like everything else.

use crate::language::Lang;

/// What the last action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A new letter was sent.
    LetterSent,
    /// A reply was sent.
    ReplySent,
    /// A letter was saved in "Kladder".
    DraftSaved,
    /// A draft was sent.
    DraftSent,
    /// A letter was forwarded.
    Forwarded,
    /// A letter was moved to a folder, named in Danish and English.
    Moved {
        /// The folder's Danish name.
        da: String,
        /// The folder's English name.
        en: String,
    },
    /// A letter was moved to "Slettet".
    Deleted,
    /// A letter was restored from "Slettet" to a folder, named in Danish and English.
    Restored {
        /// The folder's Danish name.
        da: String,
        /// The folder's English name.
        en: String,
    },
    /// A letter was deleted for good.
    DeletedForGood,
    /// A letter was marked unread.
    MarkedUnread,
    /// An own folder was created.
    FolderCreated(String),
    /// An own folder was renamed (its new name).
    FolderRenamed(String),
    /// An own folder was deleted.
    FolderDeleted(String),
    /// Access was given to the helper named.
    Granted(String),
    /// The helper's access was revoked.
    Revoked(String),
    /// The helper's access got a new password.
    PasswordChanged(String),
    /// The helper's access was changed.
    AccessChanged(String),
    /// The session's access to the mailbox it worked in ended (revoked, or a membership
    /// ended), so it is back in the person's own.
    AccessEnded,
}

impl Notice {
    /// The notice in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let (da, en) = match self {
            Self::LetterSent => (
                "Brevet er sendt.".to_owned(),
                "The letter was sent.".to_owned(),
            ),
            Self::ReplySent => (
                "Dit svar er sendt.".to_owned(),
                "Your reply was sent.".to_owned(),
            ),
            Self::DraftSaved => (
                "Brevet er gemt i Kladder.".to_owned(),
                "The letter was saved in Drafts.".to_owned(),
            ),
            Self::DraftSent => (
                "Kladden er sendt.".to_owned(),
                "The draft was sent.".to_owned(),
            ),
            Self::Forwarded => (
                "Brevet er videresendt.".to_owned(),
                "The letter was forwarded.".to_owned(),
            ),
            Self::Moved { da, en } => (
                format!("Brevet er flyttet til {da}."),
                format!("The letter was moved to {en}."),
            ),
            Self::Deleted => (
                "Brevet er flyttet til Slettet.".to_owned(),
                "The letter was moved to Deleted.".to_owned(),
            ),
            Self::Restored { da, en } => (
                format!("Brevet er gendannet til {da}."),
                format!("The letter was restored to {en}."),
            ),
            Self::DeletedForGood => (
                "Brevet er slettet permanent.".to_owned(),
                "The letter was deleted permanently.".to_owned(),
            ),
            Self::MarkedUnread => (
                "Brevet er markeret som ulæst.".to_owned(),
                "The letter was marked unread.".to_owned(),
            ),
            Self::FolderCreated(name) => (
                format!("Mappen \u{ab}{name}\u{bb} er oprettet."),
                format!("The folder \u{201c}{name}\u{201d} was created."),
            ),
            Self::FolderRenamed(name) => (
                format!("Mappen hedder nu \u{ab}{name}\u{bb}."),
                format!("The folder is now called \u{201c}{name}\u{201d}."),
            ),
            Self::FolderDeleted(name) => (
                format!("Mappen \u{ab}{name}\u{bb} er slettet."),
                format!("The folder \u{201c}{name}\u{201d} was deleted."),
            ),
            Self::Granted(name) => (
                format!("{name} har fået adgang. Giv personen adgangskoden uden for systemet."),
                format!("{name} was given access. Give them the password outside the system."),
            ),
            Self::Revoked(name) => (
                format!("Adgangen for {name} er tilbagekaldt."),
                format!("The access of {name} was revoked."),
            ),
            Self::PasswordChanged(name) => (
                format!("Adgangen for {name} har fået en ny adgangskode."),
                format!("The access of {name} has a new password."),
            ),
            Self::AccessChanged(name) => (
                format!("Adgangen for {name} er ændret."),
                format!("The access of {name} was changed."),
            ),
            Self::AccessEnded => (
                "Din adgang til den postkasse, du arbejdede i, er ophørt. Du er nu i din egen postkasse.".to_owned(),
                "Your access to the mailbox you worked in has ended. You are now in your own mailbox.".to_owned(),
            ),
        };
        match lang {
            Lang::Da => da,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_speaks_both_languages() {
        let notices = [
            Notice::LetterSent,
            Notice::ReplySent,
            Notice::DraftSaved,
            Notice::DraftSent,
            Notice::Forwarded,
            Notice::Moved {
                da: "Indbakke".to_owned(),
                en: "Inbox".to_owned(),
            },
            Notice::Deleted,
            Notice::Restored {
                da: "Indbakke".to_owned(),
                en: "Inbox".to_owned(),
            },
            Notice::DeletedForGood,
            Notice::MarkedUnread,
            Notice::FolderCreated("Bolig".to_owned()),
            Notice::FolderRenamed("Bolig".to_owned()),
            Notice::FolderDeleted("Bolig".to_owned()),
            Notice::Granted("Bo".to_owned()),
            Notice::Revoked("Bo".to_owned()),
            Notice::PasswordChanged("Bo".to_owned()),
            Notice::AccessChanged("Bo".to_owned()),
            Notice::AccessEnded,
        ];
        for notice in notices {
            let (da, en) = (notice.text(Lang::Da), notice.text(Lang::En));
            assert!(!da.is_empty() && !en.is_empty(), "{notice:?}");
            assert_ne!(da, en, "{notice:?}");
        }
    }
}
