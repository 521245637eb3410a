//! Every path the broker serves, in one place: the router, discovery, the pages' links and the
//! letters' links share them, so they cannot drift. The protocol paths are relative to the
//! issuer's path prefix; the simulator's pages (`/_sim/...`) are at the root.

pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const AUTHORIZE: &str = "/authorize";
pub const TOKEN: &str = "/token";
pub const USERINFO: &str = "/userinfo";
pub const JWKS: &str = "/jwks";
pub const END_SESSION: &str = "/logout";
pub const REVOCATION: &str = "/token/revoke";
pub const INTROSPECTION: &str = "/token/introspect";
/// Dynamic client registration (RFC 7591); `/register/{client_id}` is the client configuration
/// endpoint (RFC 7592).
pub const REGISTER: &str = "/register";
/// Pushed authorization requests (RFC 9126).
pub const PAR: &str = "/par";

/// The endpoints one issuer serves, relative to its path. Each profile has its real broker's
/// paths; `None`: the real broker has no such endpoint.
#[derive(Debug)]
pub struct Endpoints {
    pub discovery: &'static str,
    pub authorize: &'static str,
    pub token: &'static str,
    pub userinfo: &'static str,
    pub jwks: &'static str,
    pub end_session: &'static str,
    pub par: Option<&'static str>,
    pub revocation: Option<&'static str>,
    pub introspection: Option<&'static str>,
    pub register: Option<&'static str>,
    /// Where the real broker shows a refused authorization request (NEB's `/Error?errorId=`);
    /// `None`: the error page is shown at the authorize URL.
    pub error_page: Option<&'static str>,
    /// Endpoints the real broker publishes that the simulator does not emulate, with their
    /// fidelity ledger entry: they answer 501 and name it.
    pub not_emulated: &'static [(&'static str, &'static str)],
}

impl Endpoints {
    /// This issuer's path for the endpoint the standard profile serves at `standard` (one of
    /// this module's constants: [`TOKEN`], [`PAR`], ...); `standard` itself for a path the
    /// profile has no counterpart of.
    pub fn own<'a>(&self, standard: &'a str) -> &'a str {
        let own = match standard {
            DISCOVERY => Some(self.discovery),
            AUTHORIZE => Some(self.authorize),
            TOKEN => Some(self.token),
            USERINFO => Some(self.userinfo),
            JWKS => Some(self.jwks),
            END_SESSION => Some(self.end_session),
            PAR => self.par,
            REVOCATION => self.revocation,
            INTROSPECTION => self.introspection,
            REGISTER => self.register,
            _ => None,
        };
        own.unwrap_or(standard)
    }
}

/// The `standard` profile's endpoints.
pub const STANDARD: Endpoints = Endpoints {
    discovery: DISCOVERY,
    authorize: AUTHORIZE,
    token: TOKEN,
    userinfo: USERINFO,
    jwks: JWKS,
    end_session: END_SESSION,
    par: Some(PAR),
    revocation: Some(REVOCATION),
    introspection: Some(INTROSPECTION),
    register: Some(REGISTER),
    error_page: None,
    not_emulated: &[],
};

/// NEB (Signaturgruppen): `/connect/*` below the issuer `/op`, the JWKS below discovery
/// (brokers.md, "NEB").
pub const NEB: Endpoints = Endpoints {
    discovery: DISCOVERY,
    authorize: "/connect/authorize",
    token: "/connect/token",
    userinfo: "/connect/userinfo",
    jwks: "/.well-known/openid-configuration/jwks",
    end_session: "/connect/endsession",
    par: Some("/connect/par"),
    revocation: None,
    introspection: None,
    register: None,
    error_page: Some("/Error"),
    not_emulated: &[
        ("/connect/ciba", "neb.ciba"),
        ("/api/v1/mitid/matchCpr", "neb.match-cpr-api"),
        ("/api/v1/session/logout", "neb.session-logout-api"),
    ],
};

/// Idura: `/oauth2/*` below the tenant's issuer (brokers.md, "Idura").
pub const IDURA: Endpoints = Endpoints {
    discovery: DISCOVERY,
    authorize: "/oauth2/authorize",
    token: "/oauth2/token",
    userinfo: "/oauth2/userinfo",
    jwks: "/.well-known/jwks",
    end_session: "/oauth2/logout",
    par: Some("/oauth2/par"),
    revocation: None,
    introspection: None,
    register: None,
    error_page: None,
    not_emulated: &[
        ("/ciba/bc-authorize", "idura.ciba"),
        ("/headless/authorize", "idura.headless"),
    ],
};

/// Signicat: `/connect/*` below the issuer `/auth/open` (brokers.md, "Signicat").
pub const SIGNICAT: Endpoints = Endpoints {
    discovery: DISCOVERY,
    authorize: "/connect/authorize",
    token: "/connect/token",
    userinfo: "/connect/userinfo",
    jwks: "/.well-known/openid-configuration/jwks",
    end_session: "/connect/endsession",
    par: Some("/connect/par"),
    revocation: Some("/connect/revocation"),
    introspection: Some("/connect/introspect"),
    register: None,
    error_page: None,
    not_emulated: &[
        ("/connect/checksession", "signicat.check-session"),
        (
            "/connect/deviceauthorization",
            "signicat.device-authorization",
        ),
        ("/connect/ciba", "signicat.ciba"),
        ("/connect/ciba/cancel", "signicat.ciba"),
    ],
};

/// The simple login page a person uses to settle a parked login (`/login/{txn}`).
pub const LOGIN: &str = "/login";

/// The control API for tests and tools. Must not face a network.
pub const CONTROL: &str = "/_sim/v1";

/// The simulated devices, beside the control API (outside the issuer's path).
pub const SIM_APP: &str = "/_sim/app";
pub const SIM_CODE_VIEWER: &str = "/_sim/codeviewer";
pub const SIM_CODE_READER: &str = "/_sim/codereader";
pub const SIM_CHIP: &str = "/_sim/chip";
pub const SIM_KEY_CARD: &str = "/_sim/keycard";

/// The simulated app's onboarding (getting MitID with a passport or an identity card).
pub const SIM_APP_SETUP: &str = "/_sim/app-setup";

/// Self-service pages: activating a new device with the code from its letter.
pub const SIM_SELF_SERVICE: &str = "/_sim/self-service";

/// The simulated Citizen Service desk (a caseworker's pages).
pub const SIM_CITIZEN_SERVICE: &str = "/_sim/citizen-service";

/// The pages' scripts (the only scripts a page may run: CSP `script-src 'self'`).
pub const SIM_STATIC: &str = "/_sim/static";

/// The simulated SMS and letters the broker "sent".
pub const SIM_OUTBOX: &str = "/_sim/outbox";

/// The dashboard (docs/dashboard.md): its home is the latest logins; `/_sim` answers too.
pub const SIM_DASHBOARD: &str = "/_sim/";
/// The dashboard's live updates (server-sent events).
pub const SIM_EVENTS: &str = "/_sim/events";
pub const SIM_LOGINS: &str = "/_sim/logins";
/// The request log's page.
pub const SIM_REQUESTS: &str = "/_sim/requests";
pub const SIM_IDENTITIES: &str = "/_sim/identities";
pub const SIM_CLIENTS: &str = "/_sim/clients";
pub const SIM_KEYS: &str = "/_sim/keys";
/// Queued decisions and faults.
pub const SIM_QUEUE: &str = "/_sim/queue";
/// The clock and reset.
pub const SIM_INSTANCE: &str = "/_sim/instance";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_profile_names_its_own_path_for_a_standard_endpoint() {
        for standard in [TOKEN, PAR, REVOCATION, INTROSPECTION, END_SESSION, JWKS] {
            assert_eq!(STANDARD.own(standard), standard);
        }
        assert_eq!(NEB.own(TOKEN), "/connect/token");
        assert_eq!(NEB.own(PAR), "/connect/par");
        assert_eq!(NEB.own(END_SESSION), "/connect/endsession");
        assert_eq!(IDURA.own(END_SESSION), "/oauth2/logout");
        assert_eq!(SIGNICAT.own(REVOCATION), "/connect/revocation");
        assert_eq!(SIGNICAT.own(INTROSPECTION), "/connect/introspect");
        // NEB publishes no revocation endpoint: the standard path stands.
        assert_eq!(NEB.own(REVOCATION), REVOCATION);
        assert_eq!(NEB.own("/elsewhere"), "/elsewhere");
    }
}
