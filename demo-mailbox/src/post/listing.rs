//! Listing letters: a folder's, or the search results across the mailbox's folders, sorted
//! and cut into pages. What the person asks for comes from the URL (`q`, `sort`, `page`,
//! `deleted`) and is read leniently: an unknown sort is the default, a page past the last is
//! the last.
//!
//! Searching happens here, in Rust, not in SQL: SQLite's `LIKE` and `lower()` fold only ASCII
//! letters, so "ÆBLE" would not find "æble". The query never reaches the database.

use super::folder::{Folder, StandardFolder};
use super::letter::Letter;
use crate::access::desk::{Desk, Outcome};
use crate::access::Capability;

/// Letters on one page of a list.
pub const PAGE_SIZE: usize = 20;
/// The longest search query kept, in characters (the rest is cut off).
pub const MAX_QUERY_CHARS: usize = 200;

/// How a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first (the default).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// By who is shown (the sender, or for one's own letters the recipient), then newest first.
    Sender,
}

impl Sort {
    /// Every sort, in the order the page offers them.
    pub const ALL: [Sort; 3] = [Self::Newest, Self::Oldest, Self::Sender];

    /// The `sort` value in a URL.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Sender => "sender",
        }
    }

    /// The sort named `slug`, or the default.
    pub fn parse(slug: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|sort| Some(sort.slug()) == slug)
            .unwrap_or_default()
    }
}

/// What a list page was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    /// The search query, trimmed and cut to [`MAX_QUERY_CHARS`] (empty: no search).
    pub query: String,
    /// The sort.
    pub sort: Sort,
    /// The page asked for, from 1.
    pub page: usize,
    /// Whether a search includes "Slettet".
    pub include_deleted: bool,
}

impl ListRequest {
    /// From a URL's query string (the first value of each name counts; anything unreadable is
    /// the default).
    pub fn from_query(query: Option<&str>) -> Self {
        let mut request = Self {
            page: 1,
            ..Self::default()
        };
        let (mut q, mut sort, mut page, mut deleted) = (None, None, None, None);
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let slot = match name.as_ref() {
                "q" => &mut q,
                "sort" => &mut sort,
                "page" => &mut page,
                "deleted" => &mut deleted,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        request.query = q
            .unwrap_or_default()
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_QUERY_CHARS)
            .collect::<String>()
            .trim()
            .to_owned();
        request.sort = Sort::parse(sort.as_deref());
        request.page = page
            .and_then(|page| page.trim().parse::<usize>().ok())
            .filter(|page| *page > 0)
            .unwrap_or(1);
        request.include_deleted = deleted.is_some_and(|value| !value.is_empty());
        request
    }
}

/// One page of a list.
#[derive(Debug)]
pub struct Page<T> {
    /// The items on it.
    pub items: Vec<T>,
    /// Its number, from 1.
    pub number: usize,
    /// How many pages there are (at least 1).
    pub count: usize,
    /// How many items there are in all.
    pub total: usize,
}

/// Page `number` of `items` (the last one when `number` is past it).
pub fn page_of<T>(items: Vec<T>, number: usize) -> Page<T> {
    let total = items.len();
    let count = total.div_ceil(PAGE_SIZE).max(1);
    let number = number.clamp(1, count);
    let items = items
        .into_iter()
        .skip((number - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Page {
        items,
        number,
        count,
        total,
    }
}

/// Who a list shows for `letter`: the sender, or for one's own letter the recipient.
pub fn shown_party(letter: &Letter) -> &str {
    letter
        .content
        .sent_to
        .as_deref()
        .unwrap_or(letter.content.sender.display_name())
}

/// How `a` and `b` compare in a list sorted by `sort`.
pub fn order(a: &Letter, b: &Letter, sort: Sort) -> std::cmp::Ordering {
    match sort {
        Sort::Newest => b.received_at.cmp(&a.received_at),
        Sort::Oldest => a.received_at.cmp(&b.received_at),
        Sort::Sender => shown_party(a)
            .to_lowercase()
            .cmp(&shown_party(b).to_lowercase())
            .then(b.received_at.cmp(&a.received_at)),
    }
}

/// Whether `letter` matches the lowercased `needle`: in its sender (or recipient), subject or
/// text, whatever the case (Danish letters too).
fn matches(letter: &Letter, needle: &str) -> bool {
    [
        letter.content.sender.display_name(),
        letter.content.sent_to.as_deref().unwrap_or_default(),
        &letter.content.subject,
        &letter.content.body,
    ]
    .iter()
    .any(|text| text.to_lowercase().contains(needle))
}

/// The letters in the folders the desk's access shows (not "Slettet" unless
/// `include_deleted`) that match `query`, each with its folder, sorted by `sort`. An empty
/// query finds nothing.
pub fn search(
    desk: &Desk,
    query: &str,
    include_deleted: bool,
    sort: Sort,
) -> Outcome<Vec<(Letter, Folder)>> {
    desk.require(Capability::Read)?;
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for folder in desk.folders()? {
        if folder.standard_kind() == Some(StandardFolder::Deleted) && !include_deleted {
            continue;
        }
        found.extend(
            desk.letters_in(&folder)?
                .into_iter()
                .filter(|letter| matches(letter, &needle))
                .map(|letter| (letter, folder.clone())),
        );
    }
    // A stable sort: letters at the same time keep the store's order.
    found.sort_by(|(a, _), (b, _)| order(a, b, sort));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_request_is_read_leniently() {
        let request = ListRequest::from_query(Some("q=+%C3%86ble+&sort=sender&page=3&deleted=on"));
        assert_eq!(request.query, "Æble");
        assert_eq!(request.sort, Sort::Sender);
        assert_eq!(request.page, 3);
        assert!(request.include_deleted);
        let odd = ListRequest::from_query(Some("sort=x&page=-1&page=2&q=a%00b"));
        assert_eq!(odd.sort, Sort::Newest);
        assert_eq!(odd.page, 1, "the first value counts");
        assert_eq!(odd.query, "ab");
        assert_eq!(ListRequest::from_query(None).page, 1);
        let long = ListRequest::from_query(Some(&format!("q={}", "ø".repeat(300))));
        assert_eq!(long.query.chars().count(), MAX_QUERY_CHARS);
    }

    #[test]
    fn pages_hold_twenty_and_a_page_past_the_last_is_the_last() {
        let items: Vec<usize> = (0..65).collect();
        let first = page_of(items.clone(), 1);
        assert_eq!((first.items.len(), first.count, first.total), (20, 4, 65));
        let last = page_of(items.clone(), 99);
        assert_eq!((last.number, last.items), (4, vec![60, 61, 62, 63, 64]));
        let empty = page_of(Vec::<usize>::new(), 2);
        assert_eq!((empty.number, empty.count), (1, 1));
    }
}
