//! Attaching files when writing and replying: `multipart/form-data` with the CSRF token and
//! the one-time submission id as fields; at most 3 files of 5 MB, PDF, PNG, JPEG or plain
//! text by their bytes; a refused file brings the form back with what was typed.

use axum::http::StatusCode;

use super::{body_bytes, body_text, location, Citizen, TestMailbox};
use crate::paths::{attachment_path, edit_draft_path, letter_path, reply_path, WRITE};
use crate::post::upload::MAX_UPLOAD_BYTES;
use crate::post::{Letter, StandardFolder, SubmissionId};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

/// A file in a form: field, file name, bytes.
type File<'a> = (&'a str, &'a str, &'a [u8]);

/// The write form's fields with `citizen`'s CSRF token and the one-time id `submission`.
fn write_fields<'a>(
    citizen: &'a Citizen,
    submission: &'a str,
    subject: &'a str,
    intent: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", citizen.csrf.as_str()),
        ("submission", submission),
        ("authority", "su"),
        ("subject", subject),
        ("body", "Se bilag."),
        ("intent", intent),
    ]
}

fn sent(mailbox: &TestMailbox, citizen: &Citizen, subject: &str) -> Option<Letter> {
    mailbox.find_letter(citizen, StandardFolder::Sent, subject)
}

#[tokio::test]
async fn a_letter_written_with_files_carries_them_and_each_downloads_as_its_kind() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let form = body_text(mailbox.get_as(&anna, WRITE).await).await;
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    assert!(
        form.contains("type=\"file\" name=\"files\" multiple"),
        "{form}"
    );

    let submission = SubmissionId::random();
    let fields = write_fields(&anna, submission.as_str(), "Med bilag", "send");
    let text = "Mine udgifter: 1.200 kr.\n".as_bytes();
    let response = mailbox
        .post_multipart(
            &anna,
            WRITE,
            &fields,
            &[
                ("files", "Kvittering.pdf", PDF),
                ("files", "Måler æøå.png", PNG),
                ("files", "udgifter.txt", text),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let letter = sent(&mailbox, &anna, "Med bilag").unwrap();
    let kinds: Vec<(&str, &str)> = letter
        .content
        .attachments
        .iter()
        .map(|a| (a.file_name.as_str(), a.media_type.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Kvittering.pdf", "application/pdf"),
            ("Måler æøå.png", "image/png"),
            ("udgifter.txt", "text/plain; charset=utf-8"),
        ]
    );

    let page = body_text(mailbox.get_as(&anna, &letter_path(&letter.id)).await).await;
    assert!(page.contains("Måler æøå.png</a> (1 kB, PNG)"), "{page}");
    let png = mailbox.get_as(&anna, &attachment_path(&letter.id, 2)).await;
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(
        png.headers()["content-disposition"],
        "attachment; filename=\"Maaler_aeoeaa.png\""
    );
    assert_eq!(png.headers()["x-content-type-options"], "nosniff");
    assert_eq!(body_bytes(png).await, PNG);
    let txt = mailbox.get_as(&anna, &attachment_path(&letter.id, 3)).await;
    assert_eq!(txt.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(body_bytes(txt).await, text);

    // The same form sent again (a double click) sends nothing more.
    let again = mailbox
        .post_multipart(&anna, WRITE, &fields, &[("files", "Kvittering.pdf", PDF)])
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let copies = mailbox
        .letters_in(&anna, &mailbox.standard_folder(&anna, StandardFolder::Sent))
        .into_iter()
        .filter(|letter| letter.content.subject == "Med bilag")
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test]
async fn a_refused_file_brings_the_form_back_with_what_was_typed_and_files_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = SubmissionId::random();
    let fields = write_fields(&anna, submission.as_str(), "Forkert fil", "send");

    let html_as_pdf = b"<html><script>alert(1)</script></html>".as_slice();
    let mut too_large = PDF.to_vec();
    too_large.resize(MAX_UPLOAD_BYTES + 1, b' ');
    let cases: [(&[File], &str); 4] = [
        (
            &[("files", "faktura.pdf", html_as_pdf)],
            "Filtypen er ikke tilladt",
        ),
        (
            &[("files", "program.exe", b"MZ\x90\0")],
            "Filtypen er ikke tilladt",
        ),
        (&[("files", "stor.pdf", &too_large)], "Filen er for stor"),
        (
            &[
                ("files", "a.pdf", PDF),
                ("files", "b.pdf", PDF),
                ("files", "c.pdf", PDF),
                ("files", "d.pdf", PDF),
            ],
            "For mange filer",
        ),
    ];
    for (files, message) in cases {
        let response = mailbox.post_multipart(&anna, WRITE, &fields, files).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{message}");
        let page = body_text(response).await;
        assert!(page.contains(message), "{page}");
        assert!(page.contains("Vælg filerne igen"), "{page}");
        assert!(
            page.contains("value=\"Forkert fil\""),
            "the subject kept: {page}"
        );
        assert!(
            page.contains(">Se bilag.</textarea>"),
            "the text kept: {page}"
        );
        assert!(page.contains("aria-describedby=\"files-error\""), "{page}");
        assert!(sent(&mailbox, &anna, "Forkert fil").is_none(), "{message}");
    }

    // Corrected, the same form is sent.
    let response = mailbox
        .post_multipart(&anna, WRITE, &fields, &[("files", "faktura.pdf", PDF)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        sent(&mailbox, &anna, "Forkert fil")
            .unwrap()
            .content
            .attachments
            .len(),
        1
    );
}

#[tokio::test]
async fn another_field_refused_says_the_files_must_be_chosen_again_in_english_too() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = SubmissionId::random();
    let fields = write_fields(&anna, submission.as_str(), " ", "send");
    let response = mailbox
        .post_multipart(&anna, WRITE, &fields, &[("files", "a.pdf", PDF)])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = body_text(response).await;
    assert!(page.contains("Emne mangler"), "{page}");
    assert!(
        page.contains("De valgte filer er ikke gemt, fordi brevet ikke blev sendt. Vælg dem igen."),
        "{page}"
    );
}

#[tokio::test]
async fn a_multipart_form_without_the_csrf_token_is_refused_and_files_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = SubmissionId::random();
    let mut fields = write_fields(&anna, submission.as_str(), "Forfalsket", "send");
    fields.remove(0);
    let missing = mailbox
        .post_multipart(&anna, WRITE, &fields, &[("files", "a.pdf", PDF)])
        .await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    fields.push(("csrf_token", "forkert"));
    let wrong = mailbox
        .post_multipart(&anna, WRITE, &fields, &[("files", "a.pdf", PDF)])
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(sent(&mailbox, &anna, "Forfalsket").is_none());
    // A body that is no multipart at all is a bad form, not a crash.
    let broken = mailbox
        .send(
            axum::http::Request::post(WRITE)
                .header("cookie", format!("mailbox_session={}", anna.session))
                .header("content-type", "multipart/form-data; boundary=x")
                .body(axum::body::Body::from("not multipart"))
                .unwrap(),
        )
        .await;
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_reply_carries_files_and_a_draft_keeps_its_files_when_more_are_added() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let letter = mailbox
        .find_letter(&anna, StandardFolder::Inbox, "Afgørelse om boligstøtte")
        .unwrap();
    let form = body_text(mailbox.get_as(&anna, &reply_path(&letter.id)).await).await;
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    let submission = SubmissionId::random();
    let response = mailbox
        .post_multipart(
            &anna,
            &reply_path(&letter.id),
            &[
                ("csrf_token", anna.csrf.as_str()),
                ("submission", submission.as_str()),
                ("subject", "Sv: Afgørelse"),
                ("body", "Dokumentation vedlagt."),
                ("intent", "send"),
            ],
            &[("files", "lejekontrakt.pdf", PDF)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let reply = sent(&mailbox, &anna, "Sv: Afgørelse").unwrap();
    assert_eq!(reply.content.attachments[0].file_name, "lejekontrakt.pdf");

    // A draft saved with one file, edited with another: both stay.
    let first = SubmissionId::random();
    let saved = mailbox
        .post_multipart(
            &anna,
            WRITE,
            &write_fields(&anna, first.as_str(), "Kladde med bilag", "draft"),
            &[("files", "a.pdf", PDF)],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let draft = mailbox
        .find_letter(&anna, StandardFolder::Drafts, "Kladde med bilag")
        .unwrap();
    let edit = body_text(mailbox.get_as(&anna, &edit_draft_path(&draft.id)).await).await;
    assert!(edit.contains("Bilag i kladden (beholdes): a.pdf"), "{edit}");
    let second = SubmissionId::random();
    let sent_now = mailbox
        .post_multipart(
            &anna,
            &edit_draft_path(&draft.id),
            &write_fields(&anna, second.as_str(), "Kladde med bilag", "send"),
            &[("files", "b.png", PNG)],
        )
        .await;
    assert_eq!(
        sent_now.status(),
        StatusCode::SEE_OTHER,
        "{}",
        location(&sent_now)
    );
    let names: Vec<String> = sent(&mailbox, &anna, "Kladde med bilag")
        .unwrap()
        .content
        .attachments
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    assert_eq!(names, ["a.pdf", "b.png"]);
}

#[tokio::test]
async fn an_empty_file_input_sends_no_file() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = SubmissionId::random();
    // A browser sends an empty part for a file input left empty.
    let response = mailbox
        .post_multipart(
            &anna,
            WRITE,
            &write_fields(&anna, submission.as_str(), "Uden bilag", "send"),
            &[("files", "", b"")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(sent(&mailbox, &anna, "Uden bilag")
        .unwrap()
        .content
        .attachments
        .is_empty());
}

#[tokio::test]
async fn a_read_helpers_form_with_files_is_refused_and_files_nothing() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen_with_cpr("6101701234", "Anna");
    let bo = mailbox.citizen_with_cpr("7101901234", "Bo");
    mailbox
        .grant(&anna, "7101901234", "read", &[], "hjælper-kodeord")
        .await;
    let grant = mailbox.grant_to(&anna, "7101901234");
    mailbox.open_grant(&bo, &grant.id, "hjælper-kodeord").await;
    let submission = SubmissionId::random();
    let response = mailbox
        .post_multipart(
            &bo,
            WRITE,
            &write_fields(&bo, submission.as_str(), "Fra hjælperen", "send"),
            &[("files", "a.pdf", PDF)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(sent(&mailbox, &anna, "Fra hjælperen").is_none());
}

#[tokio::test]
async fn a_form_past_every_limit_is_refused_whole_with_a_page_saying_so() {
    let mailbox = TestMailbox::without_broker().await;
    let anna = mailbox.citizen("anna", "Anna");
    let submission = SubmissionId::random();
    let mut big = PDF.to_vec();
    big.resize(MAX_UPLOAD_BYTES, b' ');
    let files: Vec<File> = ["a.pdf", "b.pdf", "c.pdf", "d.pdf"]
        .into_iter()
        .map(|name| ("files", name, big.as_slice()))
        .collect();
    let response = mailbox
        .post_multipart(
            &anna,
            WRITE,
            &write_fields(&anna, submission.as_str(), "For stort", "send"),
            &files,
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = body_text(response).await;
    assert!(page.contains("Filerne er for store"), "{page}");
    assert!(sent(&mailbox, &anna, "For stort").is_none());
}
