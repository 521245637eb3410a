use super::*;
use crate::clock::ManualClock;
use crate::login::devices::{app_answer, app_request, code_device, AppAnswer, DeviceError};
use crate::model::{AppRequest, Device, Idp, Notice, UserId};
use crate::model::{ClientId, TxnId};
use crate::server::{build, Storage};
use crate::Config;
use std::sync::Arc;

const T0: UnixTime = 1_790_000_000;

fn broker() -> (Broker, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(T0));
    let broker = build(
        Config::default(),
        "http://localhost:8080",
        clock.clone(),
        Storage::Memory,
    )
    .unwrap();
    (broker, clock)
}

fn request(acr: Option<Level>, idp_values: Vec<Idp>) -> AuthRequest {
    AuthRequest {
        profile: Default::default(),
        dialect_scopes: Vec::new(),
        simulation: None,
        client_id: ClientId::new("demo-mailbox"),
        redirect_uri: "http://localhost:8081/callback".into(),
        response_type: Default::default(),
        response_mode: Default::default(),
        claims: None,
        subject_hint: None,
        state: None,
        nonce: None,
        scopes: vec!["openid".into()],
        code_challenge: None,
        prompt: vec![],
        max_age: None,
        login_hint: None,
        ui_locales: vec![],
        acr,
        idp_values,
        action_text: Default::default(),
        reference_text: None,
    }
}

fn park(broker: &Broker, request: AuthRequest) -> LoginTxn {
    super::super::park(broker, request, broker.now()).unwrap()
}

fn person(broker: &Broker, user: &str) -> Identity {
    broker
        .store
        .identities
        .by_user_id(&UserId::new(user))
        .unwrap()
        .unwrap()
}

fn step_of(broker: &Broker, id: &TxnId) -> Step {
    let txn = broker.store.logins.get(id).unwrap().unwrap();
    refresh(broker, txn, broker.now()).unwrap().flow.step
}

#[test]
fn only_the_ways_that_reach_the_level_are_offered() {
    let (b, _) = broker();
    use Level::{High, Low, Substantial};
    use Method::{App, Chip, CodeViewer, Nemid, Password};
    let cases: &[(&str, Level, Vec<Idp>, Vec<Method>)] = &[
        ("anna", Substantial, vec![], vec![App]),
        ("anna", Low, vec![], vec![App, Password]),
        ("anna", High, vec![], vec![]),
        ("bo", High, vec![], vec![App]),
        ("carl", Substantial, vec![], vec![]),
        ("carl", Low, vec![], vec![Password]),
        ("dorthe", Substantial, vec![], vec![CodeViewer]),
        ("jens", High, vec![], vec![Chip]),
        ("jens", Low, vec![], vec![App, Chip, Password]),
        ("lis", Substantial, vec![Idp::Nemid], vec![Nemid]),
        (
            "lis",
            Substantial,
            vec![Idp::Nemid, Idp::Mitid],
            vec![App, Nemid],
        ),
        // Without NemID or a business identity the same ways are offered: that they have
        // none is told after they authenticate.
        ("anna", Substantial, vec![Idp::Nemid], vec![Nemid]),
        ("anna", Substantial, vec![Idp::MitidErhverv], vec![App]),
        // Only when NemID stands beside MitID is NemID left out for those without it.
        ("anna", Substantial, vec![Idp::Nemid, Idp::Mitid], vec![App]),
        ("ida", Substantial, vec![Idp::MitidErhverv], vec![App]),
    ];
    for (user, level, idps, expected) in cases {
        let offered = offered_methods(&person(&b, user), &request(None, idps.clone()), *level);
        assert_eq!(&offered, expected, "{user} at {level:?} with {idps:?}");
    }
}

#[test]
fn an_app_request_expires_on_the_injected_clock() {
    let (b, clock) = broker();
    let txn = park(&b, request(None, vec![]));
    let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
    assert!(matches!(txn.flow.step, Step::App(_)), "{:?}", txn.flow.step);
    let anna = person(&b, "anna");
    assert!(app_request(&b, &anna, b.now()).unwrap().is_some());

    clock.advance(179);
    assert!(matches!(step_of(&b, &txn.id), Step::App(_)));
    clock.advance(1);
    assert_eq!(
        step_of(&b, &txn.id),
        Step::Failed {
            failure: Failure::ApprovalExpired
        }
    );
    assert!(app_request(&b, &anna, b.now()).unwrap().is_none());
    let late = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Approve { code: None },
        b.now(),
    );
    assert!(matches!(late, Err(DeviceError::Expired)), "{late:?}");
    // Retrying starts a new request with a new deadline.
    let txn = b.store.logins.get(&txn.id).unwrap().unwrap();
    let txn = submit(&b, &txn, Input::Retry, b.now()).unwrap();
    match &txn.flow.step {
        Step::App(request) => assert_eq!(request.expires_at, b.now() + 180),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_app_checks_the_code_shown_in_the_browser() {
    let (b, _) = broker();
    let txn = park(&b, request(None, vec![]));
    let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
    let Step::App(app) = txn.flow.step.clone() else {
        panic!("{:?}", txn.flow.step)
    };
    let anna = person(&b, "anna");
    let wrong = format!("{:04}", (app.code.parse::<u32>().unwrap() + 1) % 10_000);
    let refused = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Approve { code: Some(wrong) },
        b.now(),
    );
    assert!(
        matches!(refused, Err(DeviceError::WrongCode)),
        "{refused:?}"
    );
    assert_eq!(
        b.store.logins.get(&txn.id).unwrap().unwrap().flow.notice,
        Some(Notice::AppWrongCode { attempts_left: 2 })
    );
    // Another person's app cannot answer it.
    let bo = person(&b, "bo");
    let other = app_answer(&b, &bo, &txn.id, AppAnswer::Approve { code: None }, b.now());
    assert!(matches!(other, Err(DeviceError::NoRequest)), "{other:?}");
    let done = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Approve {
            code: Some(app.code),
        },
        b.now(),
    )
    .unwrap();
    match done.status {
        LoginStatus::Approved { amr, acr, .. } => {
            assert_eq!(amr, ["code_app"]);
            assert_eq!(acr, Level::Substantial);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_code_is_not_accepted_twice_and_three_wrong_codes_block_until_the_clock_moves() {
    let (b, clock) = broker();
    let dorthe = person(&b, "dorthe");
    let device = code_device(&b, &dorthe, Device::CodeViewer).unwrap();
    let login = |b: &Broker| {
        let txn = park(b, request(None, vec![]));
        submit(b, &txn, Input::UserId("dorthe".into()), b.now()).unwrap()
    };
    let txn = login(&b);
    assert_eq!(txn.flow.step, Step::Code);
    let code = device.current_code(b.now());
    let txn = submit(&b, &txn, Input::Code(code.clone()), b.now()).unwrap();
    assert_eq!(txn.flow.step, Step::Password);

    // The same code again, in the next login: refused as spent, and not counted (a person
    // reading the device twice is not guessing), however often.
    let mut txn = login(&b);
    for _ in 0..5 {
        txn = submit(&b, &txn, Input::Code(code.clone()), b.now()).unwrap();
        assert_eq!(txn.flow.notice, Some(Notice::CodeAlreadyUsed));
        assert_eq!(txn.flow.step, Step::Code);
    }
    let devices = b.store.devices.get(&dorthe.id).unwrap();
    assert_eq!(devices.lockout(Device::CodeViewer).failures, 0);
    let txn = submit(&b, &txn, Input::Code("000000x".into()), b.now()).unwrap();
    assert_eq!(
        txn.flow.notice,
        Some(Notice::WrongCode { attempts_left: 2 })
    );
    let txn = submit(&b, &txn, Input::Code("1".into()), b.now()).unwrap();
    assert_eq!(
        txn.flow.notice,
        Some(Notice::WrongCode { attempts_left: 1 })
    );
    // The spent code on the last attempt neither counts nor blocks.
    let txn = submit(&b, &txn, Input::Code(code.clone()), b.now()).unwrap();
    assert_eq!(txn.flow.notice, Some(Notice::CodeAlreadyUsed));
    let txn = submit(&b, &txn, Input::Code("".into()), b.now()).unwrap();
    let blocked_until = T0 + 15 * 60;
    assert_eq!(
        txn.flow.step,
        Step::Failed {
            failure: Failure::AuthenticatorBlocked {
                device: Device::CodeViewer,
                until: blocked_until
            }
        }
    );
    // A new login is blocked at once, until the block ends.
    assert!(matches!(login(&b).flow.step, Step::Failed { .. }));
    clock.advance(15 * 60);
    let txn = login(&b);
    assert_eq!(txn.flow.step, Step::Code);
    let txn = submit(&b, &txn, Input::Code(device.current_code(b.now())), b.now()).unwrap();
    assert_eq!(txn.flow.step, Step::Password);
}

#[test]
fn a_key_card_key_is_never_asked_twice() {
    let (b, _) = broker();
    let lis = person(&b, "lis");
    let mut asked = std::collections::BTreeSet::new();
    for round in 0..3 {
        let txn = park(&b, request(None, vec![Idp::Nemid]));
        let txn = submit(&b, &txn, Input::UserId("lis".into()), b.now()).unwrap();
        let txn = submit(&b, &txn, Input::Password("test1234".into()), b.now()).unwrap();
        let Step::KeyCard { key } = txn.flow.step else {
            panic!("{:?}", txn.flow.step)
        };
        assert!(asked.insert(key), "key {key} asked twice (round {round})");
        let card = b.store.devices.get(&lis.id).unwrap().key_card.unwrap();
        let code = card.lines().find(|(k, _)| *k == key).unwrap().1.to_string();
        let answer = if round == 1 {
            "999999x".to_string()
        } else {
            code
        };
        let txn = submit(&b, &txn, Input::Code(answer), b.now()).unwrap();
        if round == 1 {
            // Wrong: that key is spent and another is asked.
            let Step::KeyCard { key: next } = txn.flow.step else {
                panic!("{:?}", txn.flow.step)
            };
            assert_ne!(next, key);
            // With the attempts left before the key card blocks.
            assert_eq!(
                txn.flow.notice,
                Some(Notice::WrongKeyCardCode { attempts_left: 2 })
            );
            let _ = submit(&b, &txn, Input::Cancel, b.now()).unwrap();
        } else {
            match txn.status {
                LoginStatus::Approved { amr, assurance, .. } => {
                    assert_eq!(amr, ["password", "key_card"]);
                    assert_eq!(assurance.idp, Idp::Nemid);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}

#[test]
fn cancel_at_any_step_sends_user_aborted() {
    let (b, _) = broker();
    let txn = park(&b, request(None, vec![]));
    let txn = submit(&b, &txn, Input::UserId("dorthe".into()), b.now()).unwrap();
    let txn = submit(&b, &txn, Input::Cancel, b.now()).unwrap();
    match &txn.status {
        LoginStatus::Rejected { description, .. } => {
            assert_eq!(description, "mitid_user_aborted")
        }
        other => panic!("{other:?}"),
    }
    // Settled: later input changes nothing.
    let again = submit(&b, &txn, Input::Code("123456".into()), b.now()).unwrap();
    assert_eq!(again.status, txn.status);
}

#[test]
fn the_app_refuses_a_request_after_three_wrong_codes_and_a_retry_starts_a_new_one() {
    let (b, _) = broker();
    let txn = park(&b, request(None, vec![]));
    let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
    let Step::App(app) = txn.flow.step.clone() else {
        panic!("{:?}", txn.flow.step)
    };
    let anna = person(&b, "anna");
    let wrong = format!("{:04}", (app.code.parse::<u32>().unwrap() + 1) % 10_000);
    for _ in 0..AppRequest::MAX_WRONG_CODES {
        let refused = app_answer(
            &b,
            &anna,
            &txn.id,
            AppAnswer::Approve {
                code: Some(wrong.clone()),
            },
            b.now(),
        );
        assert!(
            matches!(refused, Err(DeviceError::WrongCode)),
            "{refused:?}"
        );
    }
    let txn = b.store.logins.get(&txn.id).unwrap().unwrap();
    assert_eq!(
        txn.flow.step,
        Step::Failed {
            failure: Failure::AppCodeRefused
        }
    );
    // Even the right code no longer answers it.
    let late = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Approve {
            code: Some(app.code.clone()),
        },
        b.now(),
    );
    assert!(matches!(late, Err(DeviceError::NoRequest)), "{late:?}");
    // Trying again sends a new request to the app.
    let txn = submit(&b, &txn, Input::Retry, b.now()).unwrap();
    let Step::App(new) = txn.flow.step else {
        panic!("{:?}", txn.flow.step)
    };
    assert_eq!(new.wrong_codes, 0);
    assert_ne!(new.binding, app.binding);
}

#[test]
fn a_cpr_number_that_is_not_one_counts_nothing() {
    let (b, _) = broker();
    let mut client = b
        .store
        .clients
        .get(&ClientId::new("demo-mailbox"))
        .unwrap()
        .unwrap();
    client.private_service = true;
    b.store.clients.put(&client).unwrap();
    let mut r = request(None, vec![]);
    r.scopes.push("ssn".into());
    let txn = park(&b, r);
    let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
    let anna = person(&b, "anna");
    let Step::App(app) = txn.flow.step.clone() else {
        panic!("{:?}", txn.flow.step)
    };
    let txn = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Approve {
            code: Some(app.code),
        },
        b.now(),
    )
    .unwrap();
    assert_eq!(txn.flow.step, Step::Cpr);
    let mut txn = txn;
    for typo in ["12345", "abcdefghij", "320190-1234", ""] {
        txn = submit(&b, &txn, Input::Cpr(typo.into()), b.now()).unwrap();
        assert_eq!(txn.flow.notice, Some(Notice::CprFormat), "{typo}");
        assert_eq!(txn.flow.cpr_failures, 0, "{typo}");
    }
    let cpr = anna.cpr.unwrap().to_digits();
    // The right number with a space in it is the right number.
    let spaced = format!("{} {}", &cpr[..6], &cpr[6..]);
    let txn = submit(&b, &txn, Input::Cpr(spaced), b.now()).unwrap();
    assert!(!txn.status.is_pending(), "{:?}", txn.flow);
}

#[test]
fn a_newer_app_request_replaces_the_older_and_its_login_says_so() {
    let (b, clock) = broker();
    let anna = person(&b, "anna");
    let start = |b: &Broker| {
        let txn = park(b, request(None, vec![]));
        submit(b, &txn, Input::UserId("anna".into()), b.now()).unwrap()
    };
    let older = start(&b);
    clock.advance(5);
    let newer = start(&b);
    // The app shows only the newest.
    let (shown, _) = app_request(&b, &anna, b.now()).unwrap().unwrap();
    assert_eq!(shown.id, newer.id);
    // The older login's page says its request was withdrawn; its app answer is refused.
    assert_eq!(
        step_of(&b, &older.id),
        Step::Failed {
            failure: Failure::AppRequestReplaced
        }
    );
    let late = app_answer(
        &b,
        &anna,
        &older.id,
        AppAnswer::Approve { code: None },
        b.now(),
    );
    assert!(matches!(late, Err(DeviceError::NoRequest)), "{late:?}");
    // Trying again on the older login sends a new request, which replaces the other in turn.
    let older = b.store.logins.get(&older.id).unwrap().unwrap();
    clock.advance(5);
    let retried = submit(&b, &older, Input::Retry, b.now()).unwrap();
    assert!(
        matches!(retried.flow.step, Step::App(_)),
        "{:?}",
        retried.flow.step
    );
    let (shown, _) = app_request(&b, &anna, b.now()).unwrap().unwrap();
    assert_eq!(shown.id, older.id);
    assert_eq!(
        step_of(&b, &newer.id),
        Step::Failed {
            failure: Failure::AppRequestReplaced
        }
    );
}

#[test]
fn scanning_the_qr_code_still_needs_the_swipe() {
    let (b, _) = broker();
    let anna = person(&b, "anna");
    let txn = park(&b, request(None, vec![]));
    let txn = submit(&b, &txn, Input::UserId("anna".into()), b.now()).unwrap();
    let Step::App(app) = txn.flow.step.clone() else {
        panic!("{:?}", txn.flow.step)
    };
    // A swipe before a scan approves nothing.
    let early = app_answer(&b, &anna, &txn.id, AppAnswer::Swipe, b.now());
    assert!(matches!(early, Err(DeviceError::WrongCode)), "{early:?}");
    let wrong = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Scan {
            binding: "00".repeat(16),
        },
        b.now(),
    );
    assert!(matches!(wrong, Err(DeviceError::WrongCode)), "{wrong:?}");
    let scanned = app_answer(
        &b,
        &anna,
        &txn.id,
        AppAnswer::Scan {
            binding: app.binding.clone(),
        },
        b.now(),
    )
    .unwrap();
    assert!(scanned.status.is_pending(), "a scan alone does not approve");
    assert!(matches!(&scanned.flow.step, Step::App(r) if r.scanned));
    let done = app_answer(&b, &anna, &txn.id, AppAnswer::Swipe, b.now()).unwrap();
    assert!(
        matches!(done.status, LoginStatus::Approved { .. }),
        "{:?}",
        done.status
    );
}
