//! The pages' scripts (and the dashboard's style sheet), served from the broker itself so every
//! page's CSP can say `script-src 'self'` and no page runs inline script (DESIGN.md, "Web
//! pages").

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

const SCRIPTS: &[(&str, &str)] = &[
    ("login.js", include_str!("../../static/login.js")),
    ("sim_app.js", include_str!("../../static/sim_app.js")),
    ("sim_code.js", include_str!("../../static/sim_code.js")),
    (
        "frontchannel.js",
        include_str!("../../static/frontchannel.js"),
    ),
    ("dashboard.js", include_str!("../../static/dashboard.js")),
];

const STYLES: &[(&str, &str)] = &[("dashboard.css", include_str!("../../static/dashboard.css"))];

pub async fn script(Path(name): Path<String>) -> Response {
    let script = SCRIPTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, body)| ("text/javascript; charset=utf-8", *body));
    let style = || {
        STYLES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, body)| ("text/css; charset=utf-8", *body))
    };
    match script.or_else(style) {
        Some((content_type, body)) => (
            [
                (CONTENT_TYPE, content_type),
                (CACHE_CONTROL, "no-cache"),
                (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such script").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every script a page runs is one of ours, by URL: no template has inline script (but
    /// form_post.html, whose one script its own CSP allows by hash), and every script a
    /// template names is served.
    #[test]
    fn no_template_runs_inline_script_and_every_named_script_is_served() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let html = std::fs::read_to_string(&path).unwrap();
            for (i, _) in html.match_indices("<script") {
                let tag = &html[i..i + html[i..].find('>').unwrap()];
                if name == "form_post.html" {
                    continue;
                }
                let src = tag
                    .split("src=\"")
                    .nth(1)
                    .unwrap_or_else(|| panic!("{name}: inline script {tag}"));
                let file = src.split('"').next().unwrap().rsplit('/').next().unwrap();
                assert!(
                    SCRIPTS.iter().any(|(n, _)| *n == file),
                    "{name} names {file}, which is not served"
                );
            }
        }
    }

    /// The dashboard's pages carry no inline style (its style sheet is served like the
    /// scripts), and every style sheet a template names is served.
    #[test]
    fn the_dashboard_has_no_inline_style_and_its_style_sheet_is_served() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let html = std::fs::read_to_string(&path).unwrap();
            if name.starts_with("dash_") {
                assert!(!html.contains("style="), "{name}: a style attribute");
                assert!(!html.contains("<style"), "{name}: a style element");
            }
            for (i, _) in html.match_indices("rel=\"stylesheet\" href=\"") {
                let href = &html[i + 23..];
                let file = href.split('"').next().unwrap().rsplit('/').next().unwrap();
                assert!(
                    STYLES.iter().any(|(n, _)| *n == file),
                    "{name} names {file}, which is not served"
                );
            }
        }
    }
}
