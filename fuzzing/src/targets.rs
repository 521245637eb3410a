//! The targets. Each builds what it needs (a broker with an in-memory store, a mailbox with a
//! logged-in person) and then takes one input per call. The two with state build it afresh every
//! [`RENEW_EVERY`] inputs: what earlier inputs stored (pending logins, letters, folders) would
//! otherwise pile up, and a long campaign would measure a growing database, not the parsers.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use broker::error::ErrorCode;
use broker::model::Profile;
use broker::oidc::authorize::{authorize as authorize_request, AuthorizeOutcome, Prefetched};
use broker::oidc::registration::{metadata, Door};
use broker::oidc::Params;
use tower::ServiceExt;

/// The fixed "now" of the broker target (2026-01-01).
const NOW: i64 = 1_767_225_600;

/// How many inputs a target's state serves before it is built again.
pub const RENEW_EVERY: u32 = 5_000;

/// State that is built on first use and renewed after every [`RENEW_EVERY`] uses: built
/// again, or emptied in place where building is costly (the broker's keys).
struct Renewed<T> {
    slot: Mutex<Option<(Arc<T>, u32)>>,
}

impl<T> Renewed<T> {
    const fn new() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }

    fn get(&self, build: fn() -> T, renew: fn(Arc<T>) -> Arc<T>) -> Arc<T> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let (state, uses) = match slot.take() {
            Some((state, uses)) if uses < RENEW_EVERY => (state, uses),
            Some((state, _)) => (renew(state), 0),
            None => (Arc::new(build()), 0),
        };
        *slot = Some((Arc::clone(&state), uses + 1));
        state
    }
}

// ---- the authorization request (OIDC Core 3.1.2, request objects, every profile's grammar)

struct Brokers {
    views: Vec<broker::Broker>,
}

fn brokers() -> Arc<Brokers> {
    static BROKERS: Renewed<Brokers> = Renewed::new();
    BROKERS.get(build_brokers, |brokers| {
        // Making the broker makes its keys (RSA): too slow to repeat; its store is emptied.
        if let Some(broker) = brokers.views.first() {
            if let Err(e) = broker.store.reset() {
                panic!("the fuzz target's store does not reset: {e}");
            }
        }
        brokers
    })
}

fn build_brokers() -> Brokers {
    let clock = Arc::new(broker::clock::ManualClock::new(NOW));
    let base = match broker::server::build(
        broker::config::Config::default(),
        "http://localhost:8080",
        clock,
        broker::server::Storage::Memory,
    ) {
        Ok(b) => b,
        Err(e) => panic!("the fuzz target's broker does not start: {e}"),
    };
    Brokers {
        views: Profile::ALL.iter().map(|p| base.for_profile(*p)).collect(),
    }
}

/// The first byte picks the profile's issuer, the rest is the query string.
pub fn authorize(data: &[u8]) {
    let Some((&which, query)) = data.split_first() else {
        return;
    };
    let brokers = brokers();
    let views = &brokers.views;
    let broker = &views[usize::from(which) % views.len()];
    let params = Params::parse(query);
    let result = authorize_request(broker, &params, None, &Prefetched::default(), NOW);
    match &result.outcome {
        AuthorizeOutcome::ErrorPage(e) => assert!(
            e.code != ErrorCode::ServerError,
            "bad input answered server_error: {e:?}"
        ),
        AuthorizeOutcome::NeedsLogin { .. } => {}
        _ => {}
    }
}

pub const AUTHORIZE_WORDS: &[&str] = &[
    "client_id=",
    "redirect_uri=",
    "response_type=",
    "scope=",
    "state=",
    "nonce=",
    "code_challenge=",
    "code_challenge_method=S256",
    "prompt=",
    "max_age=",
    "acr_values=",
    "login_hint=",
    "ui_locales=",
    "claims=",
    "request=",
    "request_uri=",
    "response_mode=",
    "idp_values=",
    "idp_params=",
    "display=",
    "id_token_hint=",
    "&",
    "=",
    "%",
    "%25",
    "+",
    "openid",
    "mitid",
    "ssn",
    "nemid",
    "code",
    "id_token",
    "token",
    "form_post",
    "fragment",
    "urn:grn:authn:dk:mitid:substantial",
    "idp:mitid",
    "loa:high",
    "demo-mailbox",
    "http%3A%2F%2Flocalhost%3A8081%2Fcallback",
    "%7B%22",
    "%22%3A",
    "%7D",
    "eyJ",
];

pub fn authorize_seeds() -> Vec<Vec<u8>> {
    let base = "client_id=demo-mailbox&redirect_uri=http%3A%2F%2Flocalhost%3A8081%2Fcallback\
                &response_type=code&state=s&nonce=n&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
                &code_challenge_method=S256";
    let unsigned = format!(
        "eyJhbGciOiJub25lIn0.{}.",
        b64(br#"{"client_id":"demo-mailbox","scope":"openid mitid","nonce":"by-value"}"#)
    );
    let claims = "%7B%22userinfo%22%3A%7B%22dk.cpr%22%3A%7B%22essential%22%3Atrue%7D%7D%7D";
    let mut seeds = Vec::new();
    for (profile, extra) in [
        (0u8, "&scope=openid+mitid"),
        (0, "&scope=openid+mitid+ssn&acr_values=https%3A%2F%2Fdata.gov.dk%2Fconcept%2Fcore%2Fnsis%2FHigh&prompt=login&max_age=0"),
        (0, &format!("&scope=openid&claims={claims}&login_hint=anna&ui_locales=en")),
        (0, &format!("&scope=openid&request={unsigned}")),
        (0, "&scope=openid&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc"),
        (0, "&scope=openid&response_mode=form_post&display=popup"),
        (1, "&scope=openid+mitid+ssn&idp_values=mitid&idp_params=%7B%22mitid%22%3A%7B%22loa_value%22%3A%22low%22%7D%7D"),
        (2, "&scope=openid+ssn&acr_values=urn%3Agrn%3Aauthn%3Adk%3Amitid%3Asubstantial&login_hint=sub%3Aabc"),
        (3, "&scope=openid+profile+nin&acr_values=idp%3Amitid+loa%3Asubstantial"),
    ] {
        let mut seed = vec![profile];
        seed.extend_from_slice(base.as_bytes());
        seed.extend_from_slice(extra.as_bytes());
        seeds.push(seed);
    }
    seeds
}

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

// ---- JWS and JWT parsing (client assertions, request objects, id_token_hint)

fn jwks() -> &'static keys::Jwks {
    static JWKS: OnceLock<keys::Jwks> = OnceLock::new();
    JWKS.get_or_init(|| {
        let key = match keys::SigningKey::generate(keys::KeyKind::Ec) {
            Ok((key, _)) => key,
            Err(e) => panic!("no key for the jose target: {e}"),
        };
        keys::Jwks {
            keys: vec![key.public_jwk().clone()],
        }
    })
}

pub fn jose(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = keys::decode_unverified_header(text);
    if let Ok(jwt) = broker::oidc::jose::decode(text) {
        let _ = jwt.alg();
        let _ = jwt.claim_str("iss");
        let _ = jwt.claim_i64("exp");
        let _ = jwt.audience_is_one_of(&["http://localhost:8080", "demo-mailbox"]);
        let _ = jwt.check_unsigned();
        let _ = jwt.verify_hs256("a-client-secret-of-some-length");
        assert!(
            jwt.verify_with(jwks()).is_err(),
            "an input verified with a key no one else holds"
        );
    }
}

pub const JOSE_WORDS: &[&str] = &[
    "eyJ",
    ".",
    "eyJhbGciOiJub25lIn0",
    "eyJhbGciOiJSUzI1NiJ9",
    "eyJhbGciOiJIUzI1NiJ9",
    "eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ",
    "=",
    "-",
    "_",
    "AAAA",
];

pub fn jose_seeds() -> Vec<Vec<u8>> {
    let payload = b64(br#"{"iss":"demo-mailbox","sub":"demo-mailbox","aud":["http://localhost:8080/token"],"exp":1767225660,"jti":"j"}"#);
    vec![
        format!("eyJhbGciOiJub25lIn0.{payload}.").into_bytes(),
        format!("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.{payload}.c2lnbmF0dXJl").into_bytes(),
        format!("eyJhbGciOiJIUzI1NiJ9.{payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .into_bytes(),
        format!(
            "eyJhbGciOiJFUzI1NiIsImtpZCI6IngifQ.{payload}.{}",
            "A".repeat(86)
        )
        .into_bytes(),
    ]
}

// ---- registration metadata (RFC 7591, OIDC Registration; the control API's door too)

pub fn registration(data: &[u8]) {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = metadata::parse_for(&body, Door::Registration);
    let _ = metadata::parse_for(&body, Door::ControlApi);
}

pub const REGISTRATION_WORDS: &[&str] = &[
    "\"redirect_uris\"",
    "\"response_types\"",
    "\"grant_types\"",
    "\"token_endpoint_auth_method\"",
    "\"jwks\"",
    "\"jwks_uri\"",
    "\"sector_identifier_uri\"",
    "\"subject_type\"",
    "\"pairwise\"",
    "\"post_logout_redirect_uris\"",
    "\"backchannel_logout_uri\"",
    "\"frontchannel_logout_uri\"",
    "\"application_type\"",
    "\"native\"",
    "\"web\"",
    "\"javascript:alert(1)\"",
    "\"data:,x\"",
    "\"http://localhost:1/cb\"",
    "\"https://rp.example/cb#f\"",
    "\"private_key_jwt\"",
    "\"none\"",
    "\"id_token_signed_response_alg\"",
    "\"request_object_signing_alg\"",
    "\"default_max_age\"",
    "\"default_acr_values\"",
    "\"client_name\"",
    "\"logo_uri\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "null",
    "true",
    "-1",
    "1e309",
];

pub fn registration_seeds() -> Vec<Vec<u8>> {
    [
        r#"{"redirect_uris":["https://rp.example/cb"]}"#,
        r#"{"redirect_uris":["https://rp.example/cb"],"response_types":["code","code id_token"],"grant_types":["authorization_code","implicit","refresh_token"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}}"#,
        r#"{"redirect_uris":["com.example.app:/cb"],"application_type":"native","token_endpoint_auth_method":"none","post_logout_redirect_uris":["https://rp.example/out"],"backchannel_logout_uri":"https://rp.example/bc","frontchannel_logout_uri":"https://rp.example/fc"}"#,
        r#"{"redirect_uris":["https://a.example/cb","https://b.example/cb"],"subject_type":"pairwise","sector_identifier_uri":"https://rp.example/sector.json","default_max_age":60,"default_acr_values":["https://data.gov.dk/concept/core/nsis/High"],"client_name":"X"}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

// ---- the MRZ (ICAO 9303 parts 4, 5, 6)

pub fn mrz(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = passport::Mrz::parse(text) {
        // What parses writes out as lines that parse to the same.
        let again = passport::Mrz::parse(&parsed.lines().join("\n"));
        assert_eq!(
            again.as_ref().ok(),
            Some(&parsed),
            "the MRZ does not round-trip"
        );
    }
}

pub const MRZ_WORDS: &[&str] = &[
    "<",
    "<<",
    "<<<<<<<<<",
    "\n",
    "P<",
    "I<",
    "ID",
    "DNK",
    "UTO",
    "0",
    "9",
    "M",
    "F",
    "X",
];

pub fn mrz_seeds() -> Vec<Vec<u8>> {
    // ICAO 9303 part 4's specimen passport (TD3), and the same person on a TD1 card.
    let td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    let mut seeds = vec![td3.as_bytes().to_vec()];
    if let Ok(passport) = passport::Mrz::parse(td3) {
        let mut fields = passport.fields().clone();
        fields.document_code = "ID".into();
        fields.optional_data = String::new();
        if let Ok(card) = passport::Mrz::new(passport::Format::Td1, fields) {
            seeds.push(card.lines().join("\n").into_bytes());
        }
    }
    seeds
}

// ---- the selfie image decoders (PNG, binary PGM) and the face comparison

fn reference_photo() -> &'static passport::face::GreyImage {
    static PHOTO: OnceLock<passport::face::GreyImage> = OnceLock::new();
    PHOTO.get_or_init(|| passport::face::passport_photo(1))
}

/// Pictures up to this many pixels also go through the face comparison (locating the face,
/// quality, the match); larger ones are decoded only, so the decoders get most of the time.
const COMPARED_PIXELS: usize = 96 * 96;

pub fn image(data: &[u8]) {
    if let Ok(picture) = passport::face::GreyImage::decode(data) {
        assert_eq!(
            picture.pixels().len(),
            picture.width() * picture.height(),
            "the pixels fill the picture"
        );
        if picture.pixels().len() <= COMPARED_PIXELS {
            let _ = passport::face::compare(reference_photo(), &picture);
        }
    }
}

pub const IMAGE_WORDS: &[&str] = &[
    "P5", " ", "\n", "#", "255", "0", "65535", "IHDR", "IDAT", "IEND", "PLTE",
];

pub fn image_seeds() -> Vec<Vec<u8>> {
    let mut pgm = b"P5\n# a face\n8 8\n255\n".to_vec();
    pgm.extend((0..64u8).map(|i| i.wrapping_mul(4)));
    vec![passport::specimen::face_image(7), pgm]
}

// ---- the chip's security object (DER)

pub fn chip(data: &[u8]) {
    if let Some(object) = passport::chip::LdsSecurityObject::from_der(data) {
        let again = passport::chip::LdsSecurityObject::from_der(&object.to_der());
        assert_eq!(
            again.as_ref(),
            Some(&object),
            "the security object does not round-trip"
        );
    }
}

pub fn chip_seeds() -> Vec<Vec<u8>> {
    vec![
        passport::chip::LdsSecurityObject::hash(&[(1, b"DG1 contents"), (2, b"DG2 contents")])
            .to_der(),
        passport::chip::LdsSecurityObject::hash(&[(1, b"")]).to_der(),
    ]
}

// ---- the mailbox's forms and simulator API, behind a logged-in session

struct Mailbox {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    session: String,
    csrf: String,
    letter: String,
}

fn mailbox() -> Arc<Mailbox> {
    static MAILBOX: Renewed<Mailbox> = Renewed::new();
    // Cheap to make (no keys): a fresh one.
    MAILBOX.get(build_mailbox, |_| Arc::new(build_mailbox()))
}

fn build_mailbox() -> Mailbox {
    {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => panic!("no runtime for the mailbox target: {e}"),
        };
        let config = demo_mailbox::Config {
            // Nobody listens there: the broker is never reached.
            issuer: url::Url::parse("http://127.0.0.1:9").unwrap_or_else(|e| panic!("{e}")),
            ..demo_mailbox::Config::default()
        };
        let app = match demo_mailbox::App::new(config) {
            Ok(a) => a,
            Err(e) => panic!("the mailbox target's app does not start: {e}"),
        };
        let Some(person) = demo_mailbox::fuzzing::log_in(&app, "7204901236", "Anna") else {
            panic!("no session for the mailbox target");
        };
        let router = demo_mailbox::router(app);
        let letter = runtime.block_on(async {
            let request = Request::post("/_sim/v1/letters")
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"recipient":"7204901236","sender":"kommune","subject":"S","body":"B","accepts_replies":true}"#,
                ))
                .unwrap_or_else(|e| panic!("{e}"));
            let response = router.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap_or_default();
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["letter_id"].as_str().map(str::to_string))
                .unwrap_or_default()
        });
        Mailbox {
            runtime,
            router,
            session: person.session,
            csrf: person.csrf,
            letter,
        }
    }
}

/// The routes the first byte picks from: (method, path with `{letter}`, body kind).
const MAILBOX_ROUTES: &[(&str, &str, Kind)] = &[
    ("POST", "/write", Kind::Form),
    ("POST", "/folders", Kind::Form),
    ("POST", "/access", Kind::Form),
    ("POST", "/mailboxes/switch", Kind::Form),
    ("POST", "/letters/{letter}/reply", Kind::Form),
    ("POST", "/letters/{letter}/forward", Kind::Form),
    ("POST", "/letters/{letter}/move", Kind::Form),
    ("POST", "/sender", Kind::Form),
    ("POST", "/_sim/v1/letters", Kind::Json),
    ("POST", "/_sim/v1/memberships", Kind::Json),
    ("POST", "/_sim/v1/exemptions", Kind::Json),
    ("POST", "/backchannel-logout", Kind::Raw),
    ("GET", "/folders?", Kind::Query),
    ("GET", "", Kind::Path),
];

#[derive(Clone, Copy)]
enum Kind {
    /// A form of the logged-in person (their CSRF token first).
    Form,
    Json,
    /// A form without a session.
    Raw,
    /// The input is the query string.
    Query,
    /// The input is the path (and query).
    Path,
}

pub fn mailbox_forms(data: &[u8]) {
    if let Some((uri, status)) = mailbox_answer(data) {
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{uri}: bad input answered 500"
        );
    }
}

/// The request `data` makes and the mailbox's status; `None` when it makes no request.
fn mailbox_answer(data: &[u8]) -> Option<(String, StatusCode)> {
    let (&which, input) = data.split_first()?;
    let mailbox = mailbox();
    let (method, path, kind) = MAILBOX_ROUTES[usize::from(which) % MAILBOX_ROUTES.len()];
    let path = path.replace("{letter}", &mailbox.letter);
    let text = String::from_utf8_lossy(input);
    let (uri, body, content_type) = match kind {
        Kind::Form => (
            path,
            [format!("csrf_token={}&", mailbox.csrf).as_bytes(), input].concat(),
            "application/x-www-form-urlencoded",
        ),
        Kind::Json => (path, input.to_vec(), "application/json"),
        Kind::Raw => (path, input.to_vec(), "application/x-www-form-urlencoded"),
        Kind::Query => (format!("{path}{text}"), Vec::new(), "text/plain"),
        Kind::Path => (
            format!("/{}", text.trim_start_matches('/')),
            Vec::new(),
            "text/plain",
        ),
    };
    // Not a URI the HTTP layer would hand over: no request.
    let request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET))
        .uri(uri.as_str())
        .header("content-type", content_type)
        .header(
            "cookie",
            format!("{}={}", demo_mailbox::SESSION_COOKIE, mailbox.session),
        )
        .body(Body::from(body))
        .ok()?;
    let response = mailbox
        .runtime
        .block_on(mailbox.router.clone().oneshot(request))
        .unwrap_or_else(|e| match e {});
    Some((format!("{method} {uri}"), response.status()))
}

pub const MAILBOX_WORDS: &[&str] = &[
    "subject=",
    "body=",
    "authority=",
    "recipient=",
    "to=",
    "name=",
    "folder=",
    "folder_id=",
    "all_folders=on",
    "note=",
    "intent=send",
    "intent=draft",
    "permission=read",
    "permission=read_write",
    "cpr=",
    "password=",
    "own",
    "grant:",
    "folders=",
    "&",
    "=",
    "%",
    "\"recipient\"",
    "\"sender\"",
    "\"subject\"",
    "\"body\"",
    "\"cpr\"",
    "\"cvr\"",
    "\"role\"",
    "\"attachment\"",
    "\"content_base64\"",
    "logout_token=",
    "7204901236",
    "31415926",
    "kommune",
    "{",
    "}",
    "\"",
    ":",
    ",",
];

pub fn mailbox_seeds() -> Vec<Vec<u8>> {
    vec![
        [&[0u8][..], b"authority=kommune&subject=Hej&body=Tekst&intent=send"].concat(),
        [&[1u8][..], b"name=Skat"].concat(),
        [&[2u8][..], b"name=Bo&cpr=901175-2131&permission=read&all_folders=on&password=sommer-2026-lang"].concat(),
        [&[3u8][..], b"to=own"].concat(),
        [&[4u8][..], b"subject=Sv&body=Tak&intent=send"].concat(),
        [&[5u8][..], b"to=a%40example.dk&note=se+her"].concat(),
        [&[6u8][..], b"folder_id=inbox"].concat(),
        [&[7u8][..], b"recipient=7204901236&sender=su&subject=S&body=B"].concat(),
        [&[8u8][..], br#"{"recipient":"7204901236","sender":"su","subject":"S","body":"B","attachment":{"file_name":"a.pdf"}}"#].concat(),
        [&[9u8][..], br#"{"cpr":"9011752131","cvr":"31415926","name":"Solsikken","role":"admin"}"#].concat(),
        [&[10u8][..], br#"{"recipient":"6101701234"}"#].concat(),
        [&[11u8][..], b"logout_token=eyJhbGciOiJub25lIn0.e30."].concat(),
        [&[12u8][..], b"sort=date"].concat(),
        [&[13u8][..], b"letters/abc/attachments/0"].concat(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewed_state_is_built_again_after_its_share_of_inputs() {
        use std::sync::atomic::{AtomicU32, Ordering};
        static BUILT: AtomicU32 = AtomicU32::new(0);
        static STATE: Renewed<u32> = Renewed::new();
        let build = || BUILT.fetch_add(1, Ordering::SeqCst);
        let renew = |_| Arc::new(BUILT.fetch_add(1, Ordering::SeqCst));
        let first: Vec<u32> = (0..RENEW_EVERY).map(|_| *STATE.get(build, renew)).collect();
        assert!(
            first.iter().all(|&n| n == 0),
            "one state for the first share"
        );
        assert_eq!(*STATE.get(build, renew), 1, "a fresh state after it");
        assert_eq!(*STATE.get(build, renew), 1, "kept for its share");
        assert_eq!(BUILT.load(Ordering::SeqCst), 2);
    }

    /// The seeds get past the front doors (session, CSRF, client checks), so the fuzzer starts
    /// from inputs that reach the code behind them.
    #[test]
    fn the_seeds_reach_past_the_front_doors() {
        for seed in authorize_seeds() {
            let (&which, query) = seed.split_first().unwrap();
            let brokers = brokers();
            let broker = &brokers.views[usize::from(which) % brokers.views.len()];
            let result = authorize_request(
                broker,
                &Params::parse(query),
                None,
                &Prefetched::default(),
                NOW,
            );
            if let AuthorizeOutcome::ErrorPage(e) = &result.outcome {
                panic!("seed {}: error page {e:?}", String::from_utf8_lossy(&seed));
            }
        }
        let write = &mailbox_seeds()[0];
        let (uri, status) = mailbox_answer(write).unwrap();
        assert_eq!(status, StatusCode::SEE_OTHER, "{uri}: the letter is sent");
        let letter = &mailbox_seeds()[8];
        let (uri, status) = mailbox_answer(letter).unwrap();
        assert_eq!(status, StatusCode::CREATED, "{uri}");
        let mrz = mrz_seeds();
        assert_eq!(mrz.len(), 2, "a passport and a card");
        for seed in mrz {
            assert!(passport::Mrz::parse(std::str::from_utf8(&seed).unwrap()).is_ok());
        }
        for seed in image_seeds() {
            assert!(passport::face::GreyImage::decode(&seed).is_ok());
        }
        for seed in chip_seeds() {
            assert!(passport::chip::LdsSecurityObject::from_der(&seed).is_some());
        }
    }

    #[test]
    fn every_target_takes_its_seeds_and_nothing() {
        for target in crate::TARGETS {
            (target.run)(&[]);
            for seed in (target.seeds)() {
                (target.run)(&seed);
            }
        }
    }
}
