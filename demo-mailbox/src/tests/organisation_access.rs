//! Access for others to a business's and an association's mailbox: given by a person whose
//! business login may represent the business (`nemlogin.auth_to_repr`), or by an association's
//! administrator; and the simulator's membership API.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use super::{body_json, body_text, cookie_value, location, Citizen, FakeBroker, TestMailbox};
use crate::cookies::SESSION_COOKIE;
use crate::paths::{ACCESS, ACTIVITY, HOME, MAILBOXES_SWITCH, SIM_MEMBERSHIPS};

const IDA: &str = "6210883124";
const ANNA: &str = "7204901236";
const BO: &str = "9011752131";
const DORTHE: &str = "8107680342";
const SOLSIKKEN: &str = "31415926";
const PASSWORD: &str = "forening-2026";

/// Ida logs in for Simulatorfirmaet ApS through the fake broker, representing it or not.
async fn ida_for_the_business(
    mailbox: &TestMailbox,
    broker: &FakeBroker,
    represents: Option<bool>,
) -> Citizen {
    broker.behave(|b| {
        b.userinfo_name = Some("Ida Ansat".to_owned());
        b.userinfo_cpr = Some(IDA.to_owned());
        b.userinfo_business = Some(("12345674".to_owned(), "Simulatorfirmaet ApS".to_owned()));
        b.userinfo_auth_to_repr = represents;
        b.idp = Some("mitid_erhverv".to_owned());
    });
    let callback = mailbox.log_in_through(broker).await;
    let session = cookie_value(&callback, SESSION_COOKIE).unwrap();
    let csrf = mailbox
        .app
        .sessions()
        .touch(&session, mailbox.app.now())
        .unwrap()
        .csrf_token;
    let current = mailbox
        .app
        .sessions()
        .touch(&session, mailbox.app.now())
        .unwrap()
        .current;
    Citizen {
        session,
        csrf,
        mailbox: current.mailbox,
    }
}

/// `citizen` switches to the association `cvr`'s mailbox; the `Citizen` now works there.
async fn into_association(mailbox: &TestMailbox, citizen: Citizen, cvr: &str) -> Citizen {
    let to = format!("association:{cvr}");
    let switched = mailbox
        .post_as(&citizen, MAILBOXES_SWITCH, &[("to", to.as_str())])
        .await;
    assert_eq!(
        switched.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body_text(switched).await
    );
    let current = mailbox
        .app
        .sessions()
        .touch(&citizen.session, mailbox.app.now())
        .unwrap()
        .current;
    Citizen {
        mailbox: current.mailbox,
        ..citizen
    }
}

#[tokio::test]
async fn a_representative_of_the_business_gives_a_helper_access_to_its_mailbox() {
    let (mailbox, broker) = TestMailbox::with_fake_broker().await;
    let ida = ida_for_the_business(&mailbox, &broker, Some(true)).await;
    let home = body_text(mailbox.get_as(&ida, HOME).await).await;
    assert!(home.contains("href=\"/access\""), "{home}");
    assert_eq!(mailbox.get_as(&ida, ACCESS).await.status(), StatusCode::OK);
    assert_eq!(
        mailbox.get_as(&ida, ACTIVITY).await.status(),
        StatusCode::OK
    );

    let granted = mailbox.grant(&ida, BO, "read", &[], PASSWORD).await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&granted), ACCESS);
    let grant = mailbox.grant_to(&ida, BO);
    assert_eq!(
        grant.owner_name, "Simulatorfirmaet ApS",
        "named after the mailbox"
    );

    // Bo, with his own login, opens the business's mailbox with the password.
    let bo = mailbox.citizen_with_cpr(BO, "Bo Prøvegaard");
    let list = body_text(mailbox.get_as(&bo, crate::paths::MAILBOXES).await).await;
    assert!(list.contains("Simulatorfirmaet ApS"), "{list}");
    let opened = mailbox.open_grant(&bo, &grant.id, PASSWORD).await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let home = body_text(mailbox.get_as(&bo, HOME).await).await;
    assert!(
        home.contains("Påmindelse: momsangivelse"),
        "the business's post: {home}"
    );
    // A helper never gives access further.
    assert_eq!(
        mailbox.get_as(&bo, ACCESS).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_employee_of_the_business_gives_no_access() {
    for represents in [Some(false), None] {
        let (mailbox, broker) = TestMailbox::with_fake_broker().await;
        let ida = ida_for_the_business(&mailbox, &broker, represents).await;
        let home = body_text(mailbox.get_as(&ida, HOME).await).await;
        assert!(!home.contains("href=\"/access\""), "{represents:?}: {home}");
        assert_eq!(
            mailbox.get_as(&ida, ACCESS).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            mailbox.get_as(&ida, ACTIVITY).await.status(),
            StatusCode::FORBIDDEN
        );
        let refused = mailbox.grant(&ida, BO, "read", &[], PASSWORD).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(mailbox
            .app
            .store()
            .grants
            .list(&ida.mailbox)
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn an_associations_administrator_gives_access_and_a_member_does_not() {
    let mailbox = TestMailbox::without_broker().await;
    // Seeded: Anna administers Grundejerforeningen Solsikken; Dorthe is a member.
    let anna = into_association(
        &mailbox,
        mailbox.citizen_with_cpr(ANNA, "Anna Testesen"),
        SOLSIKKEN,
    )
    .await;
    let dorthe = into_association(
        &mailbox,
        mailbox.citizen_with_cpr(DORTHE, "Dorthe Kodeviser"),
        SOLSIKKEN,
    )
    .await;
    assert_eq!(anna.mailbox, dorthe.mailbox);

    assert_eq!(
        mailbox.get_as(&dorthe, ACCESS).await.status(),
        StatusCode::FORBIDDEN
    );
    let refused = mailbox.grant(&dorthe, BO, "read", &[], PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let granted = mailbox.grant(&anna, BO, "read_write", &[], PASSWORD).await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    let grant = mailbox.grant_to(&anna, BO);
    assert_eq!(grant.owner_name, "Grundejerforeningen Solsikken");
    let page = body_text(mailbox.get_as(&dorthe, HOME).await).await;
    assert!(!page.contains("href=\"/access\""), "{page}");

    // The administrator revokes it again; the member cannot.
    let revoke = crate::paths::grant_revoke_path(&grant.id);
    assert_eq!(
        mailbox.post_as(&dorthe, &revoke, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        mailbox.post_as(&anna, &revoke, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_membership_api_lists_adds_and_removes_memberships() {
    let mailbox = TestMailbox::without_broker().await;
    let listed = body_json(mailbox.get(SIM_MEMBERSHIPS, &[]).await).await;
    let all = listed["memberships"].as_array().unwrap();
    assert_eq!(all.len(), 3, "{listed}");
    assert!(all.contains(&json!({
        "cpr": ANNA, "cvr": SOLSIKKEN, "name": "Grundejerforeningen Solsikken", "role": "admin"
    })));

    // Bo becomes an administrator of Solsikken.
    let added = mailbox
        .post_json(
            SIM_MEMBERSHIPS,
            &json!({"cpr": "901175-2131", "cvr": SOLSIKKEN,
                    "name": "Grundejerforeningen Solsikken", "role": "admin"}),
        )
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    assert_eq!(body_json(added).await["cpr"], BO);
    let bo = into_association(
        &mailbox,
        mailbox.citizen_with_cpr(BO, "Bo Prøvegaard"),
        SOLSIKKEN,
    )
    .await;
    assert_eq!(mailbox.get_as(&bo, ACCESS).await.status(), StatusCode::OK);

    // Without a role, a plain member.
    let added = mailbox
        .post_json(
            SIM_MEMBERSHIPS,
            &json!({"cpr": IDA, "cvr": "16180335", "name": "Roklubben Bølgen"}),
        )
        .await;
    assert_eq!(body_json(added).await["role"], "member");

    // Bad input says what is wrong and changes nothing.
    for bad in [
        json!({"cpr": "123", "cvr": SOLSIKKEN, "name": "X"}),
        json!({"cpr": BO, "cvr": "31415927", "name": "X"}),
        json!({"cpr": BO, "cvr": SOLSIKKEN, "name": " "}),
        json!({"cpr": BO, "cvr": SOLSIKKEN, "name": "X", "role": "owner"}),
        json!({"cpr": BO, "cvr": SOLSIKKEN, "name": "X", "extra": 1}),
    ] {
        let response = mailbox.post_json(SIM_MEMBERSHIPS, &bad).await;
        assert!(response.status().is_client_error(), "{bad}");
        assert_eq!(
            body_json(response).await["error"],
            "invalid_request",
            "{bad}"
        );
    }
    let listed = body_json(mailbox.get(SIM_MEMBERSHIPS, &[]).await).await;
    assert_eq!(listed["memberships"].as_array().unwrap().len(), 5);

    // Ending Bo's membership refuses his very next request in the association's mailbox.
    let path = format!("{SIM_MEMBERSHIPS}/{SOLSIKKEN}/{BO}");
    assert_eq!(delete(&mailbox, &path).await, StatusCode::NO_CONTENT);
    assert_eq!(delete(&mailbox, &path).await, StatusCode::NOT_FOUND);
    let next = mailbox.get_as(&bo, crate::paths::FOLDERS).await;
    assert_eq!(next.status(), StatusCode::FORBIDDEN);
    assert!(body_text(next).await.contains("Adgangen er ophørt"));
    // His front page is his own mailbox again, saying why.
    let home = body_text(mailbox.get_as(&bo, HOME).await).await;
    assert!(home.contains("Du er nu i din egen postkasse"), "{home}");
}

#[tokio::test]
async fn a_removed_seeded_membership_stays_removed_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(crate::clock::ManualClock::new(super::start_time()));
    let issuer = url::Url::parse("http://127.0.0.1:9").unwrap();
    let first = TestMailbox::with_data_dir(issuer.clone(), clock.clone(), Some(dir.path().into()));
    let path = format!("{SIM_MEMBERSHIPS}/{SOLSIKKEN}/{DORTHE}");
    assert_eq!(delete(&first, &path).await, StatusCode::NO_CONTENT);
    drop(first);
    let again = TestMailbox::with_data_dir(issuer, clock, Some(dir.path().into()));
    let listed = body_json(again.get(SIM_MEMBERSHIPS, &[]).await).await;
    let all = listed["memberships"].as_array().unwrap();
    assert_eq!(all.len(), 2, "{listed}");
    assert!(all.iter().all(|m| m["cpr"] != DORTHE));
}

async fn delete(mailbox: &TestMailbox, path: &str) -> StatusCode {
    let request = Request::delete(path).body(Body::empty()).unwrap();
    mailbox.send(request).await.status()
}

/// A new association, with a valid CVR number, that nobody is a member of yet.
const NEW_ASSOCIATION: &str = "27182828";

async fn post_raw(mailbox: &TestMailbox, content_type: &str, body: &str) -> (StatusCode, String) {
    let request = Request::post(SIM_MEMBERSHIPS)
        .header("content-type", content_type)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = mailbox.send(request).await;
    (response.status(), body_text(response).await)
}

#[tokio::test]
async fn the_membership_api_takes_the_existing_name_and_changes_a_role_in_place() {
    let mailbox = TestMailbox::without_broker().await;
    // Without a name, a member of an association that has members gets its name.
    let added = mailbox
        .post_json(SIM_MEMBERSHIPS, &json!({"cpr": IDA, "cvr": SOLSIKKEN}))
        .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    assert_eq!(
        body_json(added).await,
        json!({"cpr": IDA, "cvr": SOLSIKKEN, "name": "Grundejerforeningen Solsikken", "role": "member"})
    );
    // A new association needs its name.
    let refused = mailbox
        .post_json(
            SIM_MEMBERSHIPS,
            &json!({"cpr": IDA, "cvr": NEW_ASSOCIATION}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let answer = body_json(refused).await;
    assert_eq!(answer["error"], "invalid_request");
    assert!(
        answer["error_description"]
            .as_str()
            .unwrap()
            .contains("name"),
        "{answer}"
    );

    // Anna, the seeded administrator, works in the association's mailbox; made a plain
    // member (200: the membership existed), her next request may no longer manage access.
    let anna = into_association(
        &mailbox,
        mailbox.citizen_with_cpr(ANNA, "Anna Testesen"),
        SOLSIKKEN,
    )
    .await;
    assert_eq!(mailbox.get_as(&anna, ACCESS).await.status(), StatusCode::OK);
    let changed = mailbox
        .post_json(
            SIM_MEMBERSHIPS,
            &json!({"cpr": "720490-1236", "cvr": SOLSIKKEN, "role": "member"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(body_json(changed).await["role"], "member");
    assert_eq!(
        mailbox.get_as(&anna, ACCESS).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(mailbox.get_as(&anna, HOME).await.status(), StatusCode::OK);
    let listed = body_json(mailbox.get(SIM_MEMBERSHIPS, &[]).await).await;
    assert_eq!(
        listed["memberships"].as_array().unwrap().len(),
        4,
        "changed in place, not added: {listed}"
    );
}

#[tokio::test]
async fn the_membership_api_answers_bad_requests_with_json_errors_and_changes_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let before = body_json(mailbox.get(SIM_MEMBERSHIPS, &[]).await).await;

    for (content_type, body, status) in [
        // Not JSON: a page on another site cannot send this without a preflight.
        ("application/x-www-form-urlencoded", "cpr=9011752131", 415),
        (
            "text/plain",
            r#"{"cpr":"9011752131","cvr":"31415926"}"#,
            415,
        ),
        ("application/json", "{", 400),
        ("application/json", "[]", 422),
        ("application/json", r#"{"cvr":"31415926"}"#, 422),
        (
            "application/json",
            r#"{"cpr":9011752131,"cvr":"31415926"}"#,
            422,
        ),
        (
            "application/json",
            r#"{"cpr":"9011752131","cvr":"31415926","role":"owner"}"#,
            400,
        ),
        (
            "application/json",
            r#"{"cpr":"9011752131","cvr":"3141592","name":"X"}"#,
            400,
        ),
        (
            "application/json",
            r#"{"cpr":"901175-213","cvr":"31415926"}"#,
            400,
        ),
        (
            "application/json",
            r#"{"cpr":"9011752131","cvr":"31415926","name":"a\u0007b"}"#,
            400,
        ),
    ] {
        let (got, text) = post_raw(&mailbox, content_type, body).await;
        assert_eq!(got.as_u16(), status, "{body}: {text}");
        let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["error"], "invalid_request", "{body}: {text}");
        assert!(
            !answer["error_description"].as_str().unwrap().is_empty(),
            "{text}"
        );
    }
    let long = "x".repeat(101);
    let (got, _) = post_raw(
        &mailbox,
        "application/json",
        &json!({"cpr": BO, "cvr": SOLSIKKEN, "name": long}).to_string(),
    )
    .await;
    assert_eq!(got, StatusCode::BAD_REQUEST);

    for (path, status, error) in [
        (
            format!("{SIM_MEMBERSHIPS}/{SOLSIKKEN}/12"),
            400,
            "invalid_request",
        ),
        (
            format!("{SIM_MEMBERSHIPS}/31415927/{ANNA}"),
            400,
            "invalid_request",
        ),
        (
            format!("{SIM_MEMBERSHIPS}/association:{SOLSIKKEN}/{ANNA}"),
            400,
            "invalid_request",
        ),
        (
            format!("{SIM_MEMBERSHIPS}/{SOLSIKKEN}/{BO}"),
            404,
            "not_found",
        ),
    ] {
        let request = Request::delete(path.as_str()).body(Body::empty()).unwrap();
        let response = mailbox.send(request).await;
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert_eq!(body_json(response).await["error"], error, "{path}");
    }
    let after = body_json(mailbox.get(SIM_MEMBERSHIPS, &[]).await).await;
    assert_eq!(before, after);
    assert_eq!(after["memberships"].as_array().unwrap().len(), 3);
}
