//! One-time ids of the forms that send a letter (write, reply, forward), so that the same form
//! sent twice (a double click, a reloaded POST) sends one letter. The form carries a fresh id;
//! the store claims it once per mailbox, atomically, before anything is sent, and remembers
//! the letter the first submission filed.

use super::letter::LetterId;
use crate::id::id_type;

/// The longest submission id taken from a form.
const MAX_SUBMISSION_CHARS: usize = 64;

id_type! {
    /// A form's one-time submission id: random, made with the form's page.
    pub struct SubmissionId;
    /// An id read back from the store.
    pub fn from_stored;
}

impl SubmissionId {
    /// The id as a form sent it: 1-64 letters, digits, `-` or `_`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let plausible = !text.is_empty()
            && text.len() <= MAX_SUBMISSION_CHARS
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        plausible.then(|| Self::from_stored(text))
    }
}

/// What claiming a submission id found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The first time: go on and send.
    New,
    /// Claimed before: the letter it filed, or `None` while that submission is still being
    /// sent.
    Taken(Option<LetterId>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submission_ids_are_short_tokens() {
        let random = SubmissionId::random();
        assert_eq!(SubmissionId::parse(random.as_str()), Some(random));
        assert!(SubmissionId::parse("form-1_A").is_some());
        for bad in ["", "<script>", "a b", &"x".repeat(65), "æ"] {
            assert_eq!(SubmissionId::parse(bad), None, "{bad}");
        }
    }
}
