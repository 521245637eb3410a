// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use axum::body::Body;
use axum::http::HeaderValue;
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;

fn hosts() -> Hosts {
    Hosts::new(["https://id.example/op"], &["extra.example".to_string()])
}

#[test]
fn only_our_host_names_are_served() {
    let hosts = hosts();
    for ok in [
        "localhost:8080",
        "127.0.0.1:1234",
        "[::1]:8080",
        "id.example",
        "extra.example",
        "rp.localhost:3000",
        "LOCALHOST",
    ] {
        assert!(hosts.allows(host_of(ok)), "{ok}");
    }
    for bad in [
        "rebind.attacker.example",
        "evil.example:8080",
        "127.0.0.2",
        "localhost.evil.example",
    ] {
        assert!(!hosts.allows(host_of(bad)), "{bad}");
    }
}

fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_static(v));
    }
    h
}

#[test]
fn another_sites_origin_or_fetch_metadata_is_refused() {
    let hosts = hosts();
    assert!(!from_another_site(&HeaderMap::new(), &hosts));
    assert!(!from_another_site(
        &with(&[("origin", "http://localhost:8081")]),
        &hosts
    ));
    assert!(!from_another_site(
        &with(&[("origin", "http://[::1]:8081")]),
        &hosts
    ));
    assert!(from_another_site(
        &with(&[("origin", "https://evil.example")]),
        &hosts
    ));
    assert!(from_another_site(&with(&[("origin", "null")]), &hosts));
    assert!(
        !from_another_site(
            &with(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            &hosts
        ),
        "a no-referrer page's own form post"
    );
    assert!(from_another_site(
        &with(&[("origin", "null"), ("sec-fetch-site", "cross-site")]),
        &hosts
    ));
    assert!(from_another_site(
        &with(&[("sec-fetch-site", "cross-site")]),
        &hosts
    ));
    assert!(!from_another_site(
        &with(&[("sec-fetch-site", "same-site")]),
        &hosts
    ));
}

#[test]
fn json_endpoints_take_json_or_nothing() {
    assert!(json_or_empty(&with(&[(
        "content-type",
        "application/json"
    )])));
    assert!(json_or_empty(&with(&[(
        "content-type",
        "application/json; charset=utf-8"
    )])));
    assert!(json_or_empty(&with(&[])));
    assert!(json_or_empty(&with(&[("content-length", "0")])));
    assert!(!json_or_empty(&with(&[("content-type", "text/plain")])));
    assert!(!json_or_empty(&with(&[(
        "content-type",
        "application/x-www-form-urlencoded"
    )])));
    assert!(!json_or_empty(&with(&[("content-length", "12")])));
}

const TOKEN: &str = "a-control-token-of-some-length";

fn app(lock: Option<ControlLock>) -> Router {
    let policy = Arc::new(Policy {
        hosts: hosts(),
        paths: Paths {
            own_site_only: |p| p.starts_with("/_sim"),
            json_only: |p| p.starts_with("/_sim/v1"),
            locked: |p| p.starts_with("/_sim") && !p.starts_with("/_sim/static/"),
            api: |p| p.starts_with("/_sim/v1"),
        },
        lock,
    });
    Router::new()
        .route(
            "/_sim/v1/things",
            get(|| async { "things" }).post(|| async { "made" }),
        )
        .route("/_sim/app", get(|| async { "the app" }))
        .route("/_sim/static/a.js", get(|| async { "script" }))
        .route("/authorize", get(|| async { "authorize" }))
        .layer(axum::middleware::from_fn_with_state(policy, guard))
}

async fn send(app: &Router, request: axum::http::Request<Body>) -> Response {
    app.clone().oneshot(request).await.unwrap()
}

fn get_req(path: &str, headers: &[(&'static str, &str)]) -> axum::http::Request<Body> {
    let mut builder = axum::http::Request::get(path).header("host", "localhost:8080");
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(Body::empty()).unwrap()
}

async fn text(response: Response) -> String {
    String::from_utf8(
        to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn without_a_token_nothing_is_locked() {
    let app = app(None);
    assert_eq!(
        send(&app, get_req("/_sim/v1/things", &[])).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&app, get_req("/_sim/app", &[])).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&app, get_req(UNLOCK_PATH, &[])).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_control_api_needs_the_token_as_a_bearer() {
    let app = app(Some(ControlLock::new(TOKEN, false)));
    let refused = send(&app, get_req("/_sim/v1/things", &[])).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert!(text(refused).await.contains("control_token_required"));
    let wrong = send(
        &app,
        get_req(
            "/_sim/v1/things",
            &[("authorization", "Bearer not-the-token-at-all")],
        ),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let bearer = format!("Bearer {TOKEN}");
    let right = send(
        &app,
        get_req("/_sim/v1/things", &[("authorization", &bearer)]),
    )
    .await;
    assert_eq!(right.status(), StatusCode::OK);
    assert_eq!(text(right).await, "things");
    // The protocol endpoints and the scripts the login screens load stay open.
    assert_eq!(
        send(&app, get_req("/authorize", &[])).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&app, get_req("/_sim/static/a.js", &[])).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_page_asks_for_the_token_once_and_remembers_it_in_a_strict_cookie() {
    let app = app(Some(ControlLock::new(TOKEN, false)));
    let page = send(&app, get_req("/_sim/app?x=1", &[])).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        page.headers()[LOCATION],
        "/_sim/unlock?next=%2F_sim%2Fapp%3Fx%3D1"
    );

    let form = send(
        &app,
        get_req("/_sim/unlock?next=%2F_sim%2Fapp%3Fx%3D1", &[]),
    )
    .await;
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let html = text(form).await;
    assert!(
        html.contains(r#"name="next" value="/_sim/app?x=1""#),
        "{html}"
    );

    let post = |body: String| {
        axum::http::Request::post(UNLOCK_PATH)
            .header("host", "localhost:8080")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let wrong = send(
        &app,
        post("token=guess-guess-guess-guess&next=%2F_sim%2Fapp".into()),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert!(text(wrong).await.contains("not the control token"));

    let right = send(&app, post(format!("token={TOKEN}&next=%2F_sim%2Fapp"))).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(right.headers()[LOCATION], "/_sim/app");
    let set = right.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains(TOKEN), "the cookie is not the token");
    let cookie = set.split(';').next().unwrap().to_string();
    let opened = send(&app, get_req("/_sim/app", &[("cookie", &cookie)])).await;
    assert_eq!(opened.status(), StatusCode::OK);
    // The cookie opens the API too (the developer's own browser).
    let api = send(&app, get_req("/_sim/v1/things", &[("cookie", &cookie)])).await;
    assert_eq!(api.status(), StatusCode::OK);
    let name = cookie.split('=').next().unwrap();
    assert!(name.starts_with(CONTROL_COOKIE), "{name}");
    let forged = format!("{name}=00");
    let forged = send(&app, get_req("/_sim/app", &[("cookie", &forged)])).await;
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    // Another server's cookie on the same host (another token) opens nothing here.
    let other = ControlLock::new("another-token-for-another-server", false);
    let other_cookie = other
        .set_cookie()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(
        other_cookie.split('=').next().unwrap(),
        name,
        "each token its own cookie"
    );
    let refused = send(&app, get_req("/_sim/app", &[("cookie", &other_cookie)])).await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);

    // Back only to a local path.
    for next in [
        "%2F%2Fevil.example%2F",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let response = send(&app, post(format!("token={TOKEN}&next={next}"))).await;
        assert_eq!(response.headers()[LOCATION], "/", "{next}");
    }
}

#[tokio::test]
async fn a_post_to_a_locked_page_without_the_cookie_is_refused() {
    let app = app(Some(ControlLock::new(TOKEN, true)));
    let response = send(
        &app,
        axum::http::Request::post("/_sim/app")
            .header("host", "localhost")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn listening_beyond_loopback_needs_a_token_or_an_explicit_choice() {
    let how = "--control-token";
    let loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let v6_loopback: SocketAddr = "[::1]:8080".parse().unwrap();
    let everywhere: SocketAddr = "0.0.0.0:8080".parse().unwrap();
    let lan: SocketAddr = "192.168.1.10:8080".parse().unwrap();
    assert!(check_listen(loopback, false, false, how).is_ok());
    assert!(check_listen(v6_loopback, false, false, how).is_ok());
    let refused = check_listen(everywhere, false, false, how).unwrap_err();
    assert!(refused.contains("--control-token") && refused.contains("--unsafe-open-control"));
    assert!(check_listen(lan, false, false, how).is_err());
    assert!(check_listen(everywhere, true, false, how).is_ok());
    assert!(check_listen(lan, false, true, how).is_ok());
}

#[test]
fn a_token_is_long_and_plain() {
    assert!(valid_token(TOKEN).is_ok());
    assert!(valid_token("short").is_err());
    assert!(valid_token("has a space in the middle of it").is_err());
}

#[tokio::test]
async fn html_pages_get_the_headers_others_do_not() {
    let csp = Arc::new("default-src 'none'".to_string());
    let app = Router::new()
        .route(
            "/page",
            get(|| async { ([(CONTENT_TYPE, "text/html; charset=utf-8")], "<p>hi</p>") }),
        )
        .route(
            "/json",
            get(|| async { ([(CONTENT_TYPE, "application/json")], "{}") }),
        )
        .layer(axum::middleware::from_fn_with_state(csp, html_headers));
    let page = send(&app, get_req("/page", &[])).await;
    assert_eq!(
        page.headers()[CONTENT_SECURITY_POLICY],
        "default-src 'none'"
    );
    assert_eq!(page.headers()[X_FRAME_OPTIONS], "DENY");
    assert_eq!(page.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    let json = send(&app, get_req("/json", &[])).await;
    assert!(json.headers().get(CONTENT_SECURITY_POLICY).is_none());
}
