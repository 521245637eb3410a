//! The fidelity ledger: every known difference between a profile and the real broker it
//! imitates, with its evidence, and what is the same on purpose where a relying party might
//! doubt it. Served at `GET /_sim/v1/fidelity`; `docs/fidelity.md` is made from the same
//! entries ([`markdown`]); an endpoint the real broker has and the simulator does not emulate
//! answers 501 naming its entry.
//!
//! Evidence names a public source: Signaturgruppen's broker documentation (NEB-DOC), the
//! recorded NEB pre-production and Signicat sandbox traffic published in benne/stubid
//! (STUBID, CAP numbers), criipto/docs (IDURA-DOC), developer.signicat.com (SIG-DOC); the
//! facts and their paths are collected in `../shared/domain/brokers.md` and
//! `docs/research/broker-facts.md`.

use serde::Serialize;

use crate::model::Profile;

/// How far the simulator's answer is from the real broker's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Member names, JSON types and values follow the source.
    Exact,
    /// The same members and types; values or order differ in ways a relying party should not
    /// depend on.
    SameShape,
    /// The simulator behaves differently, deliberately, and says why.
    DiffersOnPurpose,
    /// The real broker has it; the simulator does not (an endpoint answers 501).
    NotEmulated,
}

impl Tier {
    pub const fn as_str(self) -> &'static str {
        match self {
            Tier::Exact => "exact",
            Tier::SameShape => "same shape",
            Tier::DiffersOnPurpose => "differs on purpose",
            Tier::NotEmulated => "not emulated",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Entry {
    /// `<profile>.<topic>`, stable: 501 answers and the docs link to it.
    pub id: &'static str,
    pub profile: Profile,
    /// The field, parameter, endpoint or behaviour.
    pub subject: &'static str,
    pub tier: Tier,
    /// What the simulator does.
    pub simulator: &'static str,
    /// What the real broker does.
    pub real: &'static str,
    /// The public document or recorded exchange it follows.
    pub evidence: &'static str,
}

const fn e(
    id: &'static str,
    profile: Profile,
    subject: &'static str,
    tier: Tier,
    simulator: &'static str,
    real: &'static str,
    evidence: &'static str,
) -> Entry {
    Entry {
        id,
        profile,
        subject,
        tier,
        simulator,
        real,
        evidence,
    }
}

use Profile::{Idura, Neb, Signicat};
use Tier::{DiffersOnPurpose, Exact, NotEmulated, SameShape};

pub const ENTRIES: &[Entry] = &[
    // ---- NEB
    e("neb.paths", Neb, "issuer and endpoint paths", Exact,
      "issuer <base>/op; /connect/authorize, token, userinfo, endsession, par; JWKS at /.well-known/openid-configuration/jwks",
      "the same below https://pp.netseidbroker.dk/op",
      "STUBID fixtures/neb/pp/CAP-001 (discovery); NEB-DOC environments.md"),
    e("neb.discovery", Neb, "discovery document", SameShape,
      "the 36 recorded members and no others; values as recorded, endpoints at this issuer",
      "36 members; no scopes_supported, claims_supported or acr_values_supported",
      "STUBID fixtures/neb/pp/CAP-001/response.raw"),
    e("neb.member-order", Neb, "JSON member order", SameShape,
      "members in alphabetical order (ID token, userinfo, discovery)",
      "members in the recorded order, sub last in userinfo",
      "STUBID pp-session/CAP-020; JSON objects are unordered (RFC 8259 4)"),
    e("neb.scopes", Neb, "scopes", Exact,
      "openid required; mitid, ssn, nemid.pid, nemlogin, ssn.details_name, ssn.details_address, transaction_token, userinfo_token accepted; any other scope or none: NEB's error page",
      "a missing scope or one the client may not use fails the whole flow at NEB's error page",
      "NEB-DOC oidc-integration.md; STUBID CAP-043"),
    e("neb.idp-values", Neb, "idp_values", Exact,
      "mitid (default) and mitid_erhverv in order of preference; another value: NEB's error page",
      "an IdP not enabled for the client: error page, 'Requested IDP is not enabled for this client'",
      "NEB-DOC oidc-integration.md, troubleshooting.md; STUBID CAP-009"),
    e("neb.idp-params", Neb, "idp_params", SameShape,
      "JSON object; mitid.loa_value/aal_value (the higher), reference_text (base64, at most 130 characters), action_text, uuid_hint, cpr_hint, mitid_erhverv.allow_private; not JSON: NEB's error page; a value of the wrong type or unknown level: error page",
      "as here; a malformed value inside valid JSON is accepted at authorize and fails later (mitid_uuid_hint_malformed); require_psd2, transfer_token_*, app switch members also exist",
      "NEB-DOC idps/mitid.md, idps/mitid-erhverv.md; STUBID CAP-010, CAP-040"),
    e("neb.idp-params-other", Neb, "idp_params.mitid: require_psd2, transfer_token_exchange_code, transfer_token_text, enable_app_switch", NotEmulated,
      "accepted and ignored; mitid.psd2 is always \"false\"",
      "PSD2 flows, controlled transfer and app switch",
      "NEB-DOC idps/mitid.md, idps/app-mitid-integration.md"),
    e("neb.step-up", Neb, "step-up", DiffersOnPurpose,
      "a session below the asked level never answers a request: a new login is made with or without enable_step_up and prompt=login",
      "step-up needs prompt=login, enable_step_up and a level above the session's; otherwise NEB reuses the session",
      "NEB-DOC idps/mitid.md, oidc-integration.md"),
    e("neb.language", Neb, "language", SameShape,
      "da, en, kl; kl shows the Danish screens",
      "da, en, kl (also documented as gl)",
      "NEB-DOC oidc-integration.md, idps/mitid-iframe.md"),
    e("neb.simulation", Neb, "simulation=no-ui username:|uuid:|cpr:", SameShape,
      "step 3 of the decision ladder for every client; an unknown person: access_denied with mitid_simulation_unknown_user; mitid_erhverv_uuid: is not read",
      "an enterprise entitlement per client (ignored on the open test clients)",
      "NEB-DOC enterprise/simulation.md; STUBID CAP-013, CAP-007 (error codes)"),
    e("neb.simulation-ui", Neb, "simulation=ui", NotEmulated,
      "NEB's error page naming this entry; the login screens' simulator shortcut stands in",
      "a person picker",
      "NEB-DOC enterprise/simulation.md"),
    e("neb.error-page", Neb, "refused authorization requests", SameShape,
      "302 to /op/Error?errorId=<the error, sealed with the instance's secret>, which shows it (400); never redirected to the client",
      "302 to /op/Error?errorId=<opaque>, never redirected to the client",
      "NEB-DOC oidc-integration.md; STUBID pp/CAP-008, CAP-009, CAP-040, CAP-043"),
    e("neb.authorize-response", Neb, "authorization response parameters", SameShape,
      "code, state, session_state, iss; iss only when no id_token is returned; errors: error, error_description, state, session_state and no iss; session_state has NEB's form (43 base64url characters, a dot, 32 hex digits) but no session behind it",
      "the same parameters; session_state from IdentityServer's session management",
      "STUBID pp-session/CAP-020, CAP-023; docs/brokers/neb/claims.md"),
    e("neb.code-format", Neb, "authorization code format", Exact,
      "64 upper-case hex digits and -1",
      "64 upper-case hex digits and -1",
      "NEB-DOC ageverification/windows-native.md"),
    e("neb.id-token", Neb, "ID token members and types", Exact,
      "iss nbf iat exp aud amr nonce at_hash|c_hash sid sub auth_time idp acr neb_sid loa aal ial identity_type transaction_id idp_transaction_id session_expiry (a string) idtoken_type (strict) subject_type (org_mapped); 300 s",
      "the same members (recorded); the documented idp_environment is never sent",
      "STUBID pp-session/CAP-020/token/id_token.payload.json; NEB-DOC issued-claims-tokens.md"),
    e("neb.identifiers", Neb, "sid, neb_sid, transaction_id, idp_transaction_id", SameShape,
      "lower-case GUIDs, stable per session and login, derived from the simulator's own ids",
      "lower-case GUIDs",
      "STUBID pp-session/CAP-020"),
    e("neb.sub-organisation", Neb, "sub (org_mapped)", SameShape,
      "a GUID per person and organisation; the organisation is the client's sector (sector_identifier, else its first redirect URI's host)",
      "a GUID per person and organisation (service provider); all its services see the same sub",
      "NEB-DOC issued-claims-tokens.md, 'Organization specific subject claims'"),
    e("neb.erhverv-tokens", Neb, "MitID Erhverv tokens", SameShape,
      "idp mitid_erhverv, identity_type professional, bare amr values, nemlogin.* in userinfo; no loip",
      "amr values with a mitid: prefix, loip (baseline|extended), level at most Substantial",
      "NEB-DOC idps/mitid-erhverv.md (no recording)"),
    e("neb.access-token", Neb, "access token", Exact,
      "an RS256 JWT, typ at+jwt: iss nbf iat exp scope (an array) amr client_id sub auth_time idp acr neb_sid idp_transaction_id transaction_id sid jti (32 hex); no aud; expires_in 10800",
      "the same (recorded)",
      "STUBID pp-session/CAP-020/token/access_token.*, CAP-021"),
    e("neb.token-kid", Neb, "JWKS and the tokens' kid", SameShape,
      "the RSA keys only, each kty use kid x5t e n x5c and no alg; kid the upper-case hex SHA-1 thumbprint of the key's certificate, x5t the same in base64url; tokens name their key so; the certificate is self-signed by the simulator (the same across restarts)",
      "the same members; certificates in a chain under NEB's own roots (and a transaction-token and an encryption key beside)",
      "STUBID pp/CAP-002; NEB-DOC environments.md"),
    e("neb.userinfo", Neb, "userinfo", Exact,
      "every value a JSON string: session_is_active, session_expiry, idp, subject_type, idp_identity_id, loa, aal, ial, mitid.* (mitid.transaction_id = idp_transaction_id), dk.cpr, nemid.pid, nemid.pid_status, nemlogin.*, mitid.psd2, mitid.geo_ip_distance_km, sub",
      "the same (recorded)",
      "STUBID pp-session/CAP-020, CAP-021"),
    e("neb.userinfo-values", Neb, "mitid.psd2, mitid.geo_ip_distance_km, mitid.reference_text", SameShape,
      "\"false\" and \"0\"; the reference text is not repeated in userinfo",
      "the PSD2 outcome, the distance between the browser and the app, and the reference text as sent",
      "STUBID pp-session/CAP-020, CAP-022"),
    e("neb.ssn-details", Neb, "ssn.details_name, ssn.details_address", NotEmulated,
      "accepted; ssn.details.status is \"unable_to_lookup\" and no ssn.details.* names or address",
      "the person's name and address from the CPR register",
      "NEB-DOC idps/mitid.md"),
    e("neb.transaction-token", Neb, "transaction_token, userinfo_token scopes", NotEmulated,
      "accepted; no transaction_token or userinfo_token in the token response",
      "signed tokens beside the access token",
      "NEB-DOC issued-claims-tokens.md; STUBID pp-session/CAP-021"),
    e("neb.token-errors", Neb, "token endpoint errors", Exact,
      "a bare {\"error\": ...}, 400 even for invalid_client, no WWW-Authenticate, Cache-Control no-store, no-cache, max-age=0; a request without parameters is invalid_request before the client is looked for",
      "the same (recorded)",
      "STUBID pp/CAP-014, CAP-015, CAP-016, CAP-042"),
    e("neb.userinfo-401", Neb, "userinfo without a valid token", Exact,
      "401, empty body, WWW-Authenticate: Bearer realm=\"IdentityServer\",error=\"invalid_token\"",
      "the same (recorded)",
      "STUBID pp/CAP-017"),
    e("neb.end-session", Neb, "end session without id_token_hint", SameShape,
      "post_logout_redirect_uri without a valid id_token_hint is ignored: never a redirect to the client; a browser with a session is asked to confirm, then the session ends; the answer is the broker's own page (200)",
      "302 to /op/Account/Logout, post_logout_redirect_uri ignored",
      "NEB-DOC sessions-and-sso.md; STUBID pp-session/CAP-027"),
    e("neb.ciba", Neb, "backchannel_authentication_endpoint (/connect/ciba), grant urn:openid:params:grant-type:ciba", NotEmulated,
      "501 naming this entry",
      "client-initiated backchannel authentication",
      "STUBID pp/CAP-001 (discovery); NEB-DOC enterprise/flex-app-ciba.md"),
    e("neb.client-credentials", Neb, "grant client_credentials, DPoP, request object encryption", NotEmulated,
      "unsupported_grant_type; DPoP proofs and encrypted request objects are not read",
      "service tokens, DPoP-bound tokens, RSA-OAEP encrypted request objects",
      "STUBID pp/CAP-001 (discovery)"),
    e("neb.match-cpr-api", Neb, "/api/v1/mitid/matchCpr", NotEmulated,
      "501 naming this entry",
      "{\"cprNumberMatch\": true|false}",
      "STUBID docs/brokers/neb/errors.md"),
    e("neb.session-logout-api", Neb, "/api/v1/session/logout", NotEmulated,
      "501 naming this entry",
      "ends a session from the back end",
      "NEB-DOC sessions-and-sso.md"),
    e("neb.request-object-algs", Neb, "request object and client assertion algorithms", SameShape,
      "HS256, RS256, PS256, ES256 (and none for request objects); the others NEB lists are refused",
      "RS/PS/ES/HS 256, 384, 512",
      "STUBID pp/CAP-001 (discovery); docs/research/signed-requests.md"),
    e("neb.request-object-hs256", Neb, "HS256 request objects", SameShape,
      "verified with the client secret when the simulator keeps it in clear (clients registered for client_secret_jwt); other clients are told to register so or sign with RS256; exp required, a number or a string of digits",
      "HS256 under the client secret of any client with one; exp required",
      "NEB-DOC openid-intro.md; STUBID docs/research/signed-requests.md"),
    e("neb.signed-request-redirect", Neb, "any redirect URI for signed requests", DiffersOnPurpose,
      "the redirect URI must be registered, signed request or not",
      "'NEB Allows Any Redirect URI for Signed Requests'",
      "NEB-DOC openid-intro.md"),
    e("neb.par", Neb, "pushed authorization requests", SameShape,
      "/connect/par, 201 with expires_in 600 and request_uri urn:ietf:params:oauth:request_uri:<43 base64url characters>",
      "expires_in 600, request_uri urn:ietf:params:oauth:request_uri:<64 hex>",
      "NEB-DOC par.md"),
    // ---- Idura
    e("idura.paths", Idura, "issuer and endpoint paths", SameShape,
      "issuer <base>/idura; /oauth2/authorize, token, userinfo, par, logout; JWKS /.well-known/jwks",
      "the tenant's own domain as issuer, with the same paths",
      "IDURA-DOC getting-started/oidc-intro.mdx, integrations/okta.mdx, guides/sso.mdx"),
    e("idura.discovery", Idura, "discovery document", SameShape,
      "the members Idura's client library reads (issuer, endpoints, response types and modes, subject types, acr_values_supported, ID token algorithms)",
      "no recording of the full document was found",
      "criipto/criipto-auth.js src/OpenIDConfiguration.ts"),
    e("idura.acr-values", Idura, "acr_values", Exact,
      "urn:grn:authn:dk:mitid:low|substantial|high|business; another e-ID: invalid_request to the client",
      "the same for Danish MitID; other e-IDs are Idura's other products; no acr_values shows an e-ID picker",
      "IDURA-DOC e-ids/danish-mitid.mdx"),
    e("idura.login-hint", Idura, "login_hint", SameShape,
      "message:<base64>, action:login|approve|confirm|accept|sign, uuid:, sub:<cpr>, business, business_optional, scope:address; other words: invalid_request",
      "the same words, plus dk:mitid:ct (controlled transfer)",
      "IDURA-DOC guides/prefilled-fields.mdx, e-ids/danish-mitid.mdx"),
    e("idura.login-hint-vatid", Idura, "login_hint vatid:DK<cvr>", SameShape,
      "accepted; the business screen still offers every company of the person",
      "preselects or limits the company",
      "IDURA-DOC e-ids/danish-mitid-erhverv.mdx"),
    e("idura.id-token", Idura, "ID token", SameShape,
      "iss aud nonce identityscheme authenticationtype authenticationmethod authenticationinstant nameidentifier sub ({guid}) sessionindex loA ial aal fal uuid cprNumberIdentifier birthdate dateofbirth age name country iat nbf exp; business: cvrNumberIdentifier, 2.5.4.10, employee|companySignatory, ridNumberIdentifier",
      "the same members in the published samples, plus refTextHeader and refTextBody",
      "IDURA-DOC src/JwtViewer/samples.ts (MITID_CITIZEN), snippets/jwt-payloads/"),
    e("idura.ref-text", Idura, "refTextHeader, refTextBody", NotEmulated,
      "not sent",
      "the app's header and the message: text",
      "IDURA-DOC src/JwtViewer/samples.ts"),
    e("idura.token-lifetime", Idura, "ID token lifetime", SameShape,
      "1200 s",
      "a per-application setting; the MitID samples live about 5 hours",
      "IDURA-DOC integrations/react.mdx; samples.ts"),
    e("idura.userinfo", Idura, "userinfo", SameShape,
      "the person's claims of the ID token",
      "per application: plain JSON, signed, encrypted, or only the ID token; no recorded sample",
      "IDURA-DOC snippets/oauth2-code-flow.mdx"),
    e("idura.backchannel-logout", Idura, "back-channel logout token", SameShape,
      "sid (as Back-Channel Logout 1.0 names it) carrying the session's sessionindex, and the {guid} sub",
      "no public recording or documentation of Idura's logout tokens",
      "OpenID Connect Back-Channel Logout 1.0 section 2.4"),
    e("idura.par", Idura, "pushed authorization requests", SameShape,
      "/oauth2/par, 201 with expires_in 120 and request_uri urn:ietf:params:oauth:request_uri:<43 base64url characters>",
      "expires_in 120, request_uri urn:ietf:params:oauth:request_uri:<lower-case GUID>",
      "IDURA-DOC guides/pushed-authorization-requests.mdx"),
    e("idura.ciba", Idura, "/ciba/bc-authorize", NotEmulated, "501 naming this entry",
      "client-initiated backchannel authentication", "IDURA-DOC getting-started/oidc-intro.mdx"),
    e("idura.headless", Idura, "/headless/authorize", NotEmulated, "501 naming this entry",
      "headless logins (grant urn:grn:params:grant-type:headless)", "IDURA-DOC getting-started/oidc-intro.mdx"),
    // ---- Signicat
    e("signicat.paths", Signicat, "issuer and endpoint paths", Exact,
      "issuer <base>/auth/open; /connect/authorize, token, userinfo, endsession, par, revocation, introspect; JWKS /.well-known/openid-configuration/jwks",
      "the same below the tenant's domain",
      "STUBID fixtures/signicat/sandbox/CAP-001"),
    e("signicat.discovery-lists", Signicat, "scopes_supported, claims_supported", SameShape,
      "the MitID scopes and claims only",
      "every e-ID's: 59 scopes and 334 claims in the sandbox",
      "STUBID fixtures/signicat/sandbox/CAP-001"),
    e("signicat.acr-values", Signicat, "acr_values", SameShape,
      "idp:mitid and loa:low|substantial|high; another idp or key: invalid_request",
      "an unknown idp shows a chooser; unknown keys are ignored; mitid_reference_text:<base64> in a signed request object",
      "SIG-DOC eid-hub/concepts/levels-of-assurance; STUBID docs/research/signicat-day-zero.md"),
    e("signicat.claims", Signicat, "ID token and userinfo", SameShape,
      "ID token: iss nbf iat exp aud amr ([\"external\"]) nonce at_hash sid (32 hex) sub auth_time idp profile claims idp_issuer transaction_id sandbox (true) acr; userinfo: the scopes' claims as strings (mitid-extra without mitid_reference_text_body, mitid_cpr_source and mitid_auth_token_id), sub",
      "the same recorded shapes (values not published)",
      "STUBID docs/research/signicat-observed-tokens.md; SIG-DOC MitID attributes reference"),
    e("signicat.token-lifetime", Signicat, "token lifetimes", SameShape,
      "600 s for ID and access tokens",
      "per-client settings, 600 s by default",
      "STUBID docs/research/signicat-day-zero.md §5"),
    e("signicat.token-errors", Signicat, "token endpoint errors", SameShape,
      "error, error_uri (<issuer>/config/errors/<error>) and error_description in the simulator's words; 400 even for invalid_client; Cache-Control no-store, no-cache, max-age=0",
      "the same members; error_uri at https://api.signicat.com/auth/open/config/errors/<error>; fixed descriptions ('The provided authorization grant is invalid.')",
      "STUBID fixtures/signicat/sandbox/CAP-016, CAP-017, CAP-018"),
    e("signicat.userinfo-401", Signicat, "userinfo without a valid token", Exact,
      "401, empty body, WWW-Authenticate: Bearer realm=\"IdentityServer\",error=\"invalid_token\"",
      "the same (recorded)",
      "STUBID fixtures/signicat/sandbox/CAP-019"),
    e("signicat.par", Signicat, "pushed authorization requests", SameShape,
      "/connect/par, 201 with request_uri and expires_in (the broker's [par] setting, 60 s by default); errors in the token endpoint's envelope",
      "the endpoint is published; its expires_in was not found; without client authentication a bare {\"error\":\"invalid_client\"}",
      "STUBID fixtures/signicat/sandbox/CAP-001, CAP-040"),
    e("signicat.end-session", Signicat, "end session", SameShape,
      "with a valid id_token_hint: the session ends and the registered post_logout_redirect_uri is followed; without parameters: the broker's logged-out page (200)",
      "without parameters: 302 to /auth/open/Account/Logout; with a hint: not recorded",
      "STUBID fixtures/signicat/sandbox/CAP-043"),
    e("signicat.jwks", Signicat, "JWKS", SameShape,
      "the broker's signing keys (RSA and EC P-256), kid their RFC 7638 thumbprints, no alg member",
      "RSA keys only, members kty use kid e n alg, kids signing-key-<32 hex> and encryption-key-<32 hex> (use enc, RSA-OAEP); the set changes between fetches",
      "STUBID fixtures/signicat/sandbox/CAP-002; docs/brokers/signicat/divergences.md"),
    e("signicat.check-session", Signicat, "check_session_iframe", NotEmulated, "501 naming this entry",
      "OIDC Session Management", "STUBID fixtures/signicat/sandbox/CAP-001"),
    e("signicat.device-authorization", Signicat, "device_authorization_endpoint", NotEmulated,
      "501 naming this entry", "the device flow", "STUBID fixtures/signicat/sandbox/CAP-001"),
    e("signicat.ciba", Signicat, "backchannel_authentication_endpoint, its cancel endpoint", NotEmulated,
      "501 naming this entry", "client-initiated backchannel authentication",
      "STUBID fixtures/signicat/sandbox/CAP-001"),
    e("signicat.encryption", Signicat, "encrypted ID tokens, userinfo and request objects", NotEmulated,
      "not offered to clients", "RSA-OAEP / RSA1_5 with A*CBC-HS*", "STUBID fixtures/signicat/sandbox/CAP-001"),
];

/// The entry with this id.
pub fn entry(id: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.id == id)
}

/// `docs/fidelity.md`, made from [`ENTRIES`].
pub fn markdown() -> String {
    let mut out = String::from(
        "# The fidelity ledger\n\n\
         Every known difference between a profile and the real broker it imitates, with its \
         evidence. Generated from `broker/src/oidc/profile/ledger.rs`, the source the broker \
         serves at `GET /_sim/v1/fidelity`; do not edit by hand (`UPDATE_DOCS=1 cargo test -p \
         broker --lib fidelity` writes it). An endpoint of a real broker that is not emulated \
         answers `501` naming its entry.\n\n\
         [← Back to the README](../README.md) · [The profiles](profiles.md)\n\n\
         Tiers: **exact** (names, types and values follow the source), **same shape** (the same \
         members and types; values or order differ in ways a relying party should not depend \
         on), **differs on purpose**, **not emulated**.\n",
    );
    for profile in [Profile::Neb, Profile::Idura, Profile::Signicat] {
        out.push_str(&format!("\n## `{profile}`\n\n"));
        out.push_str("| id | subject | tier | the simulator | the real broker | evidence |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for e in ENTRIES.iter().filter(|e| e.profile == profile) {
            out.push_str(&format!(
                "| <a id=\"{id}\"></a>`{id}` | {} | {} | {} | {} | {} |\n",
                cell(e.subject),
                e.tier.as_str(),
                cell(e.simulator),
                cell(e.real),
                cell(e.evidence),
                id = e.id,
            ));
        }
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_name_their_profile() {
        for (i, entry) in ENTRIES.iter().enumerate() {
            assert!(
                entry.id.starts_with(&format!("{}.", entry.profile)),
                "{}",
                entry.id
            );
            assert!(
                ENTRIES[..i].iter().all(|other| other.id != entry.id),
                "{} twice",
                entry.id
            );
            assert!(!entry.evidence.is_empty(), "{} has no evidence", entry.id);
        }
    }

    /// Every endpoint a profile does not emulate points at an entry that says so.
    #[test]
    fn every_not_emulated_endpoint_has_its_entry() {
        for profile in Profile::ALL {
            for (path, id) in profile.endpoints().not_emulated {
                let entry = entry(id).unwrap_or_else(|| panic!("{path}: no entry {id}"));
                assert_eq!(entry.tier, Tier::NotEmulated, "{id}");
                assert_eq!(entry.profile, profile, "{id}");
            }
        }
    }

    /// `docs/fidelity.md` is made from the entries; `UPDATE_DOCS=1` writes it.
    #[test]
    fn fidelity_doc_is_generated_from_the_ledger() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fidelity.md");
        let made = markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &made).unwrap();
        }
        let stored = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            stored == made,
            "docs/fidelity.md is out of date: run UPDATE_DOCS=1 cargo test -p broker --lib fidelity"
        );
    }
}
