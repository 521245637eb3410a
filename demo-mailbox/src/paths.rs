//! Every path the mailbox answers, and the paths to one object: a leaf that uses nothing else
//! of the crate. The router ([`crate::routes`]) mounts these patterns; the pages
//! ([`crate::pages`]) and handlers link and redirect to them. An id goes in as any
//! `AsRef<str>` (the id types give one), so this file needs none of them.

/// The mailbox's front page, the inbox (login required).
pub const HOME: &str = "/";
/// Starts a login at the broker.
pub const LOGIN: &str = "/login";
/// The redirect URI the broker sends the browser back to.
pub const CALLBACK: &str = "/callback";
/// Ends the session (POST, with the session's CSRF token).
pub const LOGOUT: &str = "/logout";
/// Where the broker sends the browser after logout.
pub const LOGGED_OUT: &str = "/logged-out";
/// POST (`logout_token`), from the broker, not a browser: Back-Channel Logout 1.0.
pub const BACKCHANNEL_LOGOUT: &str = "/backchannel-logout";

/// GET (`q`, `sort`, `page`, `deleted`): the letters that match a search, across the
/// mailbox's folders.
pub const SEARCH: &str = "/search";
/// GET: manage own folders. POST: create one (`name`).
pub const FOLDERS: &str = "/folders";
/// GET (`sort`, `page`): the letters in a folder.
pub const FOLDER: &str = "/folders/{folder_id}";
/// POST (`name`): rename an own folder.
pub const FOLDER_RENAME: &str = "/folders/{folder_id}/rename";
/// POST: delete an own, empty folder.
pub const FOLDER_DELETE: &str = "/folders/{folder_id}/delete";
/// GET: read a letter (marks it read).
pub const LETTER: &str = "/letters/{letter_id}";
/// POST: mark a letter unread.
pub const LETTER_UNREAD: &str = "/letters/{letter_id}/unread";
/// POST (`folder_id`): move a letter to another folder of the mailbox.
pub const LETTER_MOVE: &str = "/letters/{letter_id}/move";
/// POST: move a letter to "Slettet"; for a letter already there, ask to delete it for good.
pub const LETTER_DELETE: &str = "/letters/{letter_id}/delete";
/// POST: restore a letter in "Slettet" to the folder it was deleted from.
pub const LETTER_RESTORE: &str = "/letters/{letter_id}/restore";
/// GET: confirm; POST: delete a letter in "Slettet" for good.
pub const LETTER_DELETE_PERMANENTLY: &str = "/letters/{letter_id}/delete-permanently";

/// GET: download a letter's `n`th attachment (from 1).
pub const LETTER_ATTACHMENT: &str = "/letters/{letter_id}/attachments/{n}";
/// GET: the reply form (or why there is none); POST (`subject`, `body`, `intent`): reply.
pub const LETTER_REPLY: &str = "/letters/{letter_id}/reply";
/// GET: the forward form; POST (`to`, `note`): forward.
pub const LETTER_FORWARD: &str = "/letters/{letter_id}/forward";
/// POST: send a draft (a letter in "Kladder"): it moves to "Sendt".
pub const LETTER_SEND_DRAFT: &str = "/letters/{letter_id}/send-draft";
/// GET: a draft (a letter the person wrote, in "Kladder") in the write form; POST
/// (`authority`, `subject`, `body`, `intent`, `submission`): save it again or send it.
pub const LETTER_EDIT_DRAFT: &str = "/letters/{letter_id}/edit";
/// GET: the form; POST (`authority`, `subject`, `body`, `intent`): write to an authority.
pub const WRITE: &str = "/write";
/// GET: the mailboxes the person may open (own, business, associations, others' by grant).
pub const MAILBOXES: &str = "/mailboxes";
/// POST (`to`, and `password` for another person's): work in another mailbox.
pub const MAILBOXES_SWITCH: &str = "/mailboxes/switch";
/// GET: the owner's grants of access for others; POST (`name`, `cpr`, `permission`,
/// `all_folders` or `folder`..., `password`): grant access.
pub const ACCESS: &str = "/access";
/// GET: confirm; POST: revoke a grant (the helper's next request is refused).
pub const GRANT_REVOKE: &str = "/access/{grant_id}/revoke";
/// POST (`password`): a new password for a grant, which also unlocks it.
pub const GRANT_PASSWORD: &str = "/access/{grant_id}/password";
/// POST (`permission`, `all_folders` or `folder`...): change what a grant allows and which
/// folders it shows.
pub const GRANT_EDIT: &str = "/access/{grant_id}/edit";
/// GET: the activity log of what helpers did in the mailbox.
pub const ACTIVITY: &str = "/activity";
/// GET (`da` or `en`): the pages' language, remembered in a cookie; back to the page it was
/// chosen on.
pub const LANGUAGE: &str = "/language/{lang}";
/// Simulator tool, no login. GET: the simulated sender's form; POST: deliver a letter.
pub const SIM_SENDER: &str = "/sender";
/// Simulator API, no login. POST (JSON): deliver a letter.
pub const SIM_LETTERS: &str = "/_sim/v1/letters";
/// Simulator API, no login. POST (JSON `{"recipient"}`): mark a person exempt.
pub const SIM_EXEMPTIONS: &str = "/_sim/v1/exemptions";
/// Simulator API, no login. GET: the association memberships; POST (JSON `{"cpr", "cvr",
/// "name", "role"}`): add one, or change its role and name.
pub const SIM_MEMBERSHIPS: &str = "/_sim/v1/memberships";
/// Simulator API, no login. DELETE: end the membership of `cpr` in association `cvr`.
pub const SIM_MEMBERSHIP: &str = "/_sim/v1/memberships/{cvr}/{cpr}";
/// Simulator API, no login. GET: the notification outbox as JSON.
pub const SIM_OUTBOX_JSON: &str = "/_sim/v1/outbox";
/// Simulator tool, no login. GET: the notification outbox as a page.
pub const SIM_OUTBOX: &str = "/_sim/outbox";

/// The page of folder `id`.
pub fn folder_path(id: impl AsRef<str>) -> String {
    FOLDER.replace("{folder_id}", id.as_ref())
}

/// The page of letter `id`.
pub fn letter_path(id: impl AsRef<str>) -> String {
    LETTER.replace("{letter_id}", id.as_ref())
}

/// The download of letter `id`'s `n`th attachment (from 1).
pub fn attachment_path(id: impl AsRef<str>, n: usize) -> String {
    LETTER_ATTACHMENT
        .replace("{letter_id}", id.as_ref())
        .replace("{n}", &n.to_string())
}

/// The reply page of letter `id`.
pub fn reply_path(id: impl AsRef<str>) -> String {
    LETTER_REPLY.replace("{letter_id}", id.as_ref())
}

/// The forward page of letter `id`.
pub fn forward_path(id: impl AsRef<str>) -> String {
    LETTER_FORWARD.replace("{letter_id}", id.as_ref())
}

/// Where the draft `id` is sent.
pub fn send_draft_path(id: impl AsRef<str>) -> String {
    LETTER_SEND_DRAFT.replace("{letter_id}", id.as_ref())
}

/// The write form of the draft `id`.
pub fn edit_draft_path(id: impl AsRef<str>) -> String {
    LETTER_EDIT_DRAFT.replace("{letter_id}", id.as_ref())
}

/// Where letter `id` is restored from "Slettet".
pub fn restore_path(id: impl AsRef<str>) -> String {
    LETTER_RESTORE.replace("{letter_id}", id.as_ref())
}

/// The confirmation page for deleting letter `id` for good.
pub fn permanent_delete_path(id: impl AsRef<str>) -> String {
    LETTER_DELETE_PERMANENTLY.replace("{letter_id}", id.as_ref())
}

/// The confirmation of revoking grant `id`, and where it posts.
pub fn grant_revoke_path(id: impl AsRef<str>) -> String {
    GRANT_REVOKE.replace("{grant_id}", id.as_ref())
}

/// Where the edit form of grant `id` posts.
pub fn grant_edit_path(id: impl AsRef<str>) -> String {
    GRANT_EDIT.replace("{grant_id}", id.as_ref())
}

/// Where the new-password form of grant `id` posts.
pub fn grant_password_path(id: impl AsRef<str>) -> String {
    GRANT_PASSWORD.replace("{grant_id}", id.as_ref())
}

/// Routes that take no GET (POST, or DELETE): a browser cannot be sent back to one of them.
pub const POST_ONLY: [&str; 15] = [
    LOGOUT,
    BACKCHANNEL_LOGOUT,
    FOLDER_RENAME,
    FOLDER_DELETE,
    LETTER_UNREAD,
    LETTER_MOVE,
    LETTER_DELETE,
    LETTER_RESTORE,
    LETTER_SEND_DRAFT,
    MAILBOXES_SWITCH,
    GRANT_PASSWORD,
    GRANT_EDIT,
    SIM_LETTERS,
    SIM_MEMBERSHIP,
    SIM_EXEMPTIONS,
];

/// The longest path kept to return to after login.
const MAX_RETURN_PATH_CHARS: usize = 1_000;

/// `text` as a page of this mailbox to return to after login, or `None`: only a local path
/// (one `/` first, never `//` or a backslash, which a browser may read as another site: no
/// open redirect), printable ASCII only (no header injection), and a page one can be sent
/// back to (not the login, logout or callback, nor a route that takes no GET).
pub fn local_return_path(text: &str) -> Option<&str> {
    let plausible = text.starts_with('/')
        && !text.starts_with("//")
        && !text.contains('\\')
        && text.len() <= MAX_RETURN_PATH_CHARS
        && text.chars().all(|c| c.is_ascii_graphic());
    if !plausible {
        return None;
    }
    let path = text.split(['?', '#']).next().unwrap_or_default();
    let not_a_page = [LOGIN, CALLBACK, LOGOUT, LOGGED_OUT, HOME]
        .iter()
        .chain(POST_ONLY.iter())
        .any(|route| matches_route(route, path));
    (!not_a_page).then_some(text)
}

/// Whether `path` matches the route `pattern` (a `{name}` segment matches any one segment).
pub fn matches_route(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(want, got)| (want.starts_with('{') && !got.is_empty()) || want == got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_pages_are_returned_to() {
        assert_eq!(local_return_path("/letters/a1"), Some("/letters/a1"));
        assert_eq!(local_return_path("/folders/f?x=1"), Some("/folders/f?x=1"));
        for refused in [
            "",
            "letters/a1",
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example/",
            "/letters/a b",
            "/letters/a\r\nSet-Cookie: x",
            "/login",
            "/login?return_to=/x",
            "/callback",
            "/",
            "/letters/a1/move",
            "/letters/æ",
        ] {
            assert_eq!(local_return_path(refused), None, "{refused:?}");
        }
        assert_eq!(local_return_path(&format!("/{}", "a".repeat(1_000))), None);
    }
}
