//! Access for others to an association's mailbox, every person logging in through the real
//! broker: Anna (an administrator of Grundejerforeningen Solsikken) grants Bo read access to
//! the association's mailbox; Dorthe (a plain member) may not; Bo logs in with his own MitID,
//! switches with the password, reads and is refused what read access does not allow; Anna
//! sees it in the activity log and revokes, and Bo's next request is refused. Ending Dorthe's
//! membership through the simulator API refuses her next request too.

use crate::mailbox::{follow, start_mailbox, MailboxSession};
use crate::support::*;
use broker::host::TestHost;
use reqwest::StatusCode;
use serde_json::json;

const SOLSIKKEN: &str = "31415926";
const PASSWORD: &str = "forening-udleveret";

/// One person's browser in the mailbox.
struct Browser(MailboxSession);

impl std::ops::Deref for Browser {
    type Target = MailboxSession;
    fn deref(&self) -> &MailboxSession {
        &self.0
    }
}

impl Browser {
    /// Logs `user_id` in to the mailbox through the broker (the next login the broker
    /// approves is theirs); the inbox names them.
    async fn log_in(host: &TestHost, base: &str, user_id: &str, name: &str) -> Self {
        host.control()
            .post(
                "/decisions",
                &json!({"outcome": "approve", "user_id": user_id}),
            )
            .await
            .unwrap();
        let client = http_client();
        let (home, _) = follow(&client, &format!("{base}/login"), 8).await;
        assert_eq!(home.status(), StatusCode::OK);
        let home = home.text().await.unwrap();
        assert!(home.contains(&format!("Logget ind som {name}")), "{home}");
        Self(MailboxSession::on(client, base, &home))
    }

    async fn switch_to_association(&self) {
        let to = format!("association:{SOLSIKKEN}");
        let (status, body) = self.post("/mailboxes/switch", &[("to", &to)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (status, home) = self.get("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            home.contains("Postkasse: <strong>Grundejerforeningen Solsikken</strong> (forening)"),
            "{home}"
        );
    }
}

#[tokio::test]
async fn association_access_granted_used_refused_and_revoked_through_the_broker() {
    let host = TestHost::start_with(|c| c.auto_approve = true)
        .await
        .unwrap();
    let mailbox = start_mailbox(&host).await;
    let base = mailbox.base.as_str();

    // Anna administers the association: in its mailbox she may give access.
    let anna = Browser::log_in(&host, base, "anna", "Anna Testesen").await;
    anna.switch_to_association().await;
    let (status, home) = anna.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("href=\"/access\""), "{home}");
    let (status, body) = anna
        .post(
            "/access",
            &[
                ("name", "Bo"),
                ("cpr", "901175-2131"),
                ("permission", "read"),
                ("all_folders", "on"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Dorthe is a plain member: she works with the post but gives no access.
    let dorthe = Browser::log_in(&host, base, "dorthe", "Dorthe Kodeviser").await;
    dorthe.switch_to_association().await;
    let (_, home) = dorthe.get("/").await;
    assert!(!home.contains("href=\"/access\""), "{home}");
    assert_eq!(dorthe.get("/access").await.0, StatusCode::FORBIDDEN);
    let (status, _) = dorthe
        .post(
            "/access",
            &[
                ("name", "Hugo"),
                ("cpr", "700811-5013"),
                ("permission", "read_write"),
                ("all_folders", "on"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(dorthe.get("/activity").await.0, StatusCode::FORBIDDEN);

    // Bo logs in with his own MitID and finds the association's mailbox by its name.
    let bo = Browser::log_in(&host, base, "bo", "Bo Prøvegaard").await;
    let (status, list) = bo.get("/mailboxes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Grundejerforeningen Solsikken"), "{list}");
    let to = format!("grant:{}", between(&list, "value=\"grant:", "\""));
    let (status, body) = bo
        .post("/mailboxes/switch", &[("to", &to), ("password", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, home) = bo.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Postkasse: <strong>Grundejerforeningen Solsikken</strong> (læseadgang)"),
        "{home}"
    );
    assert!(
        home.contains("Tilskud til foreningens aktiviteter"),
        "{home}"
    );
    let letter = format!("/letters/{}", between(&home, "href=\"/letters/", "\""));

    // Allowed with read access: read, mark unread.
    let (status, read) = bo.get(&letter).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let (status, _) = bo.post(&format!("{letter}/unread"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Refused: deleting, replying, writing, giving access further.
    for (path, fields) in [
        (format!("{letter}/delete"), vec![]),
        (
            format!("{letter}/reply"),
            vec![("subject", "Sv"), ("body", "Svar")],
        ),
        (
            "/write".to_owned(),
            vec![("authority", "su"), ("subject", "Nyt"), ("body", "Tekst")],
        ),
        (
            "/access".to_owned(),
            vec![
                ("name", "Gitte"),
                ("cpr", "650379-2846"),
                ("permission", "read"),
                ("all_folders", "on"),
                ("password", PASSWORD),
            ],
        ),
    ] {
        let (status, _) = bo.post(&path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (_, still) = bo.get("/").await;
    assert!(
        still.contains(&letter),
        "the refused delete left it: {still}"
    );

    // Anna sees what Bo did, and revokes: Bo's very next request is refused.
    let (status, log) = anna.get("/activity").await;
    assert_eq!(status, StatusCode::OK);
    assert!(log.contains("Bo Prøvegaard"), "{log}");
    let (_, access) = anna.get("/access").await;
    let revoke = format!("/access/{}", between(&access, "action=\"/access/", "\""));
    assert!(revoke.ends_with("/revoke"), "{revoke}");
    let (status, _) = anna.post(&revoke, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, refused) = bo.get(&letter).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Adgangen er ophørt"), "{refused}");
    let (_, list) = bo.get("/mailboxes").await;
    assert!(!list.contains("value=\"grant:"), "{list}");

    // The simulator ends Dorthe's membership: her next request is refused.
    assert_eq!(dorthe.get(&letter).await.0, StatusCode::OK);
    let ended = http_client()
        .delete(format!("{base}/_sim/v1/memberships/{SOLSIKKEN}/8107680342"))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    let (status, refused) = dorthe.get(&letter).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Adgangen er ophørt"), "{refused}");
    let (_, list) = dorthe.get("/mailboxes").await;
    assert!(!list.contains("Solsikken"), "{list}");
}
