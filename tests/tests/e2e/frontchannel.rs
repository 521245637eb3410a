//! Front-Channel Logout 1.0: the end-session page loads each of the session's clients'
//! `frontchannel_logout_uri` in a hidden iframe (with `iss` and `sid` when required), then
//! continues to the `post_logout_redirect_uri`.

use broker::host::TestHost;
use serde_json::json;

use crate::support::*;

const FRONT: &str = "https://rp.example/frontchannel-logout";
const OTHER_REDIRECT: &str = "https://other.example/cb";
const OTHER_FRONT: &str = "https://other.example/fc?tenant=7";

async fn rp_with_frontchannel(session_required: bool) -> Rp {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    register_client(
        &host,
        json!({
            "frontchannel_logout_uri": FRONT,
            "frontchannel_logout_session_required": session_required,
        }),
    )
    .await;
    Rp {
        host,
        browser: http_client(),
    }
}

fn logout_url(rp: &Rp, id_token: &str) -> url::Url {
    let mut url = url::Url::parse(&rp.url("/logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair("post_logout_redirect_uri", POST_LOGOUT_URI)
        .append_pair("state", "bye-fc");
    url
}

/// The `src` of every iframe on the page, HTML entities undone.
fn iframes(html: &str) -> Vec<String> {
    html.split("<iframe")
        .skip(1)
        .filter_map(|tag| tag.split("src=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .collect()
}

/// Undoes the HTML escaping of an attribute value (askama writes `&` as `&#38;`).
fn unescape(value: &str) -> String {
    value
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
}

#[tokio::test]
async fn logout_page_loads_the_frontchannel_uri_with_iss_and_sid_then_continues() {
    let rp = rp_with_frontchannel(true).await;
    let tokens = rp.login(&[]).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let sid = claims(id_token)["sid"].as_str().unwrap().to_string();

    let r = rp
        .browser
        .get(logout_url(&rp, id_token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "a page, not a redirect, while the iframes load"
    );
    let cleared = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let html = r.text().await.unwrap();
    let frames = iframes(&html);
    assert_eq!(frames.len(), 1, "{html}");
    let frame = url::Url::parse(&frames[0]).unwrap();
    assert_eq!(&frame[..url::Position::AfterPath], FRONT);
    assert_eq!(query(&frame, "iss").as_deref(), Some(rp.issuer()));
    assert_eq!(query(&frame, "sid"), Some(sid));
    assert!(
        html.contains("visibility:hidden"),
        "the iframe is invisible"
    );
    // The page continues to the registered post-logout URI with the state.
    let next = html
        .split("id=\"continue\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(unescape)
        .unwrap();
    let next = url::Url::parse(&next).unwrap();
    assert!(next.as_str().starts_with(POST_LOGOUT_URI), "{next}");
    assert_eq!(query(&next, "state").as_deref(), Some("bye-fc"));

    // The session is over.
    let r = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
    assert_eq!(
        query(&redirect_to(&r), "error").as_deref(),
        Some("login_required")
    );
}

#[tokio::test]
async fn every_client_of_the_session_gets_its_iframe_and_only_required_ones_get_sid() {
    let rp = rp_with_frontchannel(true).await;
    register_client(
        &rp.host,
        json!({
            "client_id": "other",
            "redirect_uris": [OTHER_REDIRECT],
            "post_logout_redirect_uris": [],
            "frontchannel_logout_uri": OTHER_FRONT,
        }),
    )
    .await;
    // A third client of the session without a front-channel URI gets no iframe.
    register_client(
        &rp.host,
        json!({"client_id": "plain", "redirect_uris": ["https://plain.example/cb"]}),
    )
    .await;
    let tokens = rp.login(&[]).await;
    // Single sign-on: the same browser session gives codes to the other clients too.
    for (client, redirect) in [
        ("other", OTHER_REDIRECT),
        ("plain", "https://plain.example/cb"),
    ] {
        let r = rp
            .authorize(
                &Pkce::new(),
                &[("client_id", client), ("redirect_uri", redirect)],
            )
            .await;
        assert!(query(&redirect_to(&r), "code").is_some());
    }
    let r = rp
        .browser
        .get(logout_url(&rp, tokens["id_token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let frames = iframes(&html);
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(
        frames[0].starts_with(&format!("{FRONT}?iss=")),
        "{frames:?}"
    );
    assert_eq!(
        frames[1], OTHER_FRONT,
        "not session required: as registered"
    );
}

#[tokio::test]
async fn without_frontchannel_clients_logout_still_redirects_at_once() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let r = rp
        .browser
        .get(logout_url(&rp, tokens["id_token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert!(redirect_to(&r).as_str().starts_with(POST_LOGOUT_URI));
}

#[tokio::test]
async fn a_frontchannel_uri_on_another_origin_is_refused_at_registration() {
    let host = TestHost::start().await.unwrap();
    for uri in [
        "https://evil.example/fc",
        "http://rp.example/fc",
        "https://rp.example:8443/fc",
        "https://rp.example/fc#x",
    ] {
        let body = json!({
            "client_id": "bad",
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [REDIRECT_URI],
            "frontchannel_logout_uri": uri,
        });
        let response = host.control().post("/clients", &body).await.unwrap();
        assert_eq!(response.status, 400, "{uri}: {:?}", response.body);
        assert!(
            response
                .body
                .to_string()
                .contains("frontchannel_logout_uri"),
            "{:?}",
            response.body
        );
    }
    assert_eq!(
        host.control().get("/clients/bad").await.unwrap().status,
        404
    );
}

#[tokio::test]
async fn discovery_says_frontchannel_logout_with_session_is_supported() {
    let rp = Rp::start().await;
    let discovery = rp.discovery().await;
    assert_eq!(discovery["frontchannel_logout_supported"], true);
    assert_eq!(discovery["frontchannel_logout_session_supported"], true);
}
