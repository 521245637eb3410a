use crate::support::*;

#[tokio::test]
async fn logout_with_id_token_hint_ends_the_session_and_returns_with_state() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let hint = tokens["id_token"].as_str().unwrap();

    let mut url = url::Url::parse(&rp.url("/logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("id_token_hint", hint)
        .append_pair("post_logout_redirect_uri", POST_LOGOUT_URI)
        .append_pair("state", "bye-1");
    let r = rp.browser.get(url).send().await.unwrap();
    let cleared = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let back = redirect_to(&r);
    assert!(back.as_str().starts_with(POST_LOGOUT_URI));
    assert_eq!(query(&back, "state").as_deref(), Some("bye-1"));
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    // The session is gone: prompt=none now needs a login.
    let r = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
    let back = redirect_to(&r);
    assert_eq!(query(&back, "error").as_deref(), Some("login_required"));
    assert_eq!(query(&back, "state").as_deref(), Some("state-123"));
}

#[tokio::test]
async fn unregistered_post_logout_redirect_uri_is_never_used() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    for uri in ["https://evil.example/", "https://rp.example/logged-out/x"] {
        let mut url = url::Url::parse(&rp.url("/logout")).unwrap();
        url.query_pairs_mut()
            .append_pair("id_token_hint", tokens["id_token"].as_str().unwrap())
            .append_pair("post_logout_redirect_uri", uri);
        let r = rp.browser.get(url).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.headers().get("location").is_none());
    }
    // Without a hint or client_id the URI cannot be checked either.
    let mut url = url::Url::parse(&rp.url("/logout")).unwrap();
    url.query_pairs_mut()
        .append_pair("post_logout_redirect_uri", POST_LOGOUT_URI);
    let r = rp.browser.get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn forged_id_token_hint_is_refused() {
    let rp = Rp::start_auto().await;
    let tokens = rp.login(&[]).await;
    let token = tokens["id_token"].as_str().unwrap();
    let forged = format!("{}x", &token[..token.len() - 1]);
    let mut url = url::Url::parse(&rp.url("/logout")).unwrap();
    url.query_pairs_mut().append_pair("id_token_hint", &forged);
    let r = rp.browser.get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn logout_without_hint_asks_first_and_needs_the_confirmation_token() {
    let rp = Rp::start_auto().await;
    rp.login(&[]).await;
    let page = rp.browser.get(rp.url("/logout")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let csrf = csrf_of(&html);

    // A forged confirmation does not log out.
    let r = rp
        .browser
        .post(rp.url("/logout"))
        .form(&[("confirm", "yes"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let still = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
    assert!(query(&redirect_to(&still), "code").is_some());

    let r = rp
        .browser
        .post(rp.url("/logout"))
        .form(&[("confirm", "yes"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Logget ud"));
    let after = rp.authorize(&Pkce::new(), &[("prompt", "none")]).await;
    assert_eq!(
        query(&redirect_to(&after), "error").as_deref(),
        Some("login_required")
    );
}
