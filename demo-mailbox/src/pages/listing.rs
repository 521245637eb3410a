//! What every list of letters carries beyond its rows: the search field, and the sort and page
//! links (keeping what was asked). The search results page is `post::SearchPage`. Askama escapes
//! every value; the links' query strings are URL-encoded here.

use crate::language::Lang;
use crate::post::listing::{ListRequest, Page, Sort};

/// The search field on the folder and search pages, as filled in.
#[derive(Default)]
pub struct SearchBox {
    /// The query typed.
    pub query: String,
    /// Whether "Slettet" is searched too.
    pub include_deleted: bool,
}

/// A way to sort a list, as a link.
pub struct SortLink {
    /// Its name, in the page's language.
    pub name: String,
    /// The list sorted this way (from its first page).
    pub href: String,
    /// Whether the list is sorted this way now.
    pub current: bool,
}

/// The sorts and pages of a list, as links that keep what was asked (query, sort, Slettet).
pub struct ListNav {
    /// The ways to sort.
    pub sorts: Vec<SortLink>,
    /// The page shown, from 1.
    pub page: usize,
    /// How many pages there are.
    pub pages: usize,
    /// How many letters there are in all.
    pub total: usize,
    /// The page before, if any.
    pub previous: Option<String>,
    /// The page after, if any.
    pub next: Option<String>,
}

impl ListNav {
    /// The links of the list at `base` (a path) showing `page` for `request`; `who` names the
    /// sort by sender (or recipient), in `lang`.
    pub fn new<T>(
        base: &str,
        request: &ListRequest,
        page: &Page<T>,
        who: &str,
        lang: Lang,
    ) -> Self {
        let sorts = Sort::ALL
            .into_iter()
            .map(|sort| SortLink {
                name: match sort {
                    Sort::Newest => lang.t("Nyeste først", "Newest first").to_owned(),
                    Sort::Oldest => lang.t("Ældste først", "Oldest first").to_owned(),
                    Sort::Sender => format!("{who} (A–Å)"),
                },
                href: list_href(base, request, sort, 1),
                current: sort == request.sort,
            })
            .collect();
        Self {
            sorts,
            page: page.number,
            pages: page.count,
            total: page.total,
            previous: (page.number > 1)
                .then(|| list_href(base, request, request.sort, page.number - 1)),
            next: (page.number < page.count)
                .then(|| list_href(base, request, request.sort, page.number + 1)),
        }
    }
}

/// `base` with the query string that asks for `request` sorted by `sort`, page `page`
/// (defaults left out). Every value is URL-encoded; the page escapes the whole for HTML.
pub fn list_href(base: &str, request: &ListRequest, sort: Sort, page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !request.query.is_empty() {
        query.append_pair("q", &request.query);
    }
    if request.include_deleted {
        query.append_pair("deleted", "on");
    }
    if sort != Sort::default() {
        query.append_pair("sort", sort.slug());
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    let query = query.finish();
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}
