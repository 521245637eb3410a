use serde::{Deserialize, Serialize};

use super::{
    Assurance, ClaimsRequest, ClientId, Flow, IdentityId, Idp, Level, Profile, ResponseMode,
    ResponseType, TxnId, UserId,
};
use crate::clock::UnixTime;

/// `prompt` values the broker acts on (OIDC Core 3.1.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    None,
    Login,
    Consent,
    SelectAccount,
}

/// An authorization request that passed every check: what the rest of the login needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthRequest {
    /// The issuer's dialect the request came in by; its answer goes out in the same.
    #[serde(default)]
    pub profile: Profile,
    pub client_id: ClientId,
    pub redirect_uri: String,
    /// What the authorization endpoint returns; `code` for logins stored before it existed.
    #[serde(default)]
    pub response_type: ResponseType,
    /// How the response reaches `redirect_uri`.
    #[serde(default)]
    pub response_mode: ResponseMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Known scopes only, in request order, `openid` first.
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(default)]
    pub prompt: Vec<Prompt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    #[serde(default)]
    pub ui_locales: Vec<String>,
    /// The lowest level the client asked for through `acr_values`; None when it asked for none
    /// we know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<Level>,
    /// The identity providers the client asked for through `idp_values`, in its order of
    /// preference; empty: MitID.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub idp_values: Vec<Idp>,
    /// The verb the app shows (`action_text`).
    #[serde(default)]
    pub action_text: ActionText,
    /// What the person approves, shown in the app (`reference_text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_text: Option<String>,
    /// The `claims` parameter: claims asked for individually (OIDC Core 5.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<ClaimsRequest>,
    /// The `sub` the request is for (`id_token_hint`, or a `sub` claim request with a value):
    /// only a login as that person may answer it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_hint: Option<String>,
    /// A headless test login the request itself asks for (NEB's `simulation=no-ui ...`):
    /// step 3 of the decision ladder, whatever the instance default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulation: Option<Simulation>,
    /// The scopes as the client named them in its profile's words (empty for `standard`):
    /// what the profile's answers release (`scopes` holds their standard meaning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dialect_scopes: Vec<String>,
}

/// Who a simulated login (NEB's `simulation=no-ui username:<user>`, `uuid:`, `cpr:`) logs in
/// as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Simulation {
    UserId(UserId),
    /// The MitID UUID (the identity's id).
    Uuid(String),
    /// The CPR number, 10 digits.
    Cpr(String),
}

impl std::fmt::Display for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Simulation::UserId(u) => write!(f, "username:{u}"),
            Simulation::Uuid(u) => write!(f, "uuid:{u}"),
            Simulation::Cpr(c) => write!(f, "cpr:{c}"),
        }
    }
}

/// The verb in the app's header (Signaturgruppen's `action_text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionText {
    #[default]
    LogOn,
    Approve,
    Confirm,
    Accept,
    Sign,
}

impl ActionText {
    pub const ALL: [ActionText; 5] = [
        ActionText::LogOn,
        ActionText::Approve,
        ActionText::Confirm,
        ActionText::Accept,
        ActionText::Sign,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ActionText::LogOn => "LOG_ON",
            ActionText::Approve => "APPROVE",
            ActionText::Confirm => "CONFIRM",
            ActionText::Accept => "ACCEPT",
            ActionText::Sign => "SIGN",
        }
    }

    pub fn parse(value: &str) -> Option<ActionText> {
        ActionText::ALL.into_iter().find(|a| a.as_str() == value)
    }

    /// The header: "Log på hos X" and so on.
    pub const fn header(self, english: bool) -> &'static str {
        match (self, english) {
            (ActionText::LogOn, false) => "Log på hos",
            (ActionText::LogOn, true) => "Log on at",
            (ActionText::Approve, false) => "Godkend hos",
            (ActionText::Approve, true) => "Approve at",
            (ActionText::Confirm, false) => "Bekræft hos",
            (ActionText::Confirm, true) => "Confirm at",
            (ActionText::Accept, false) => "Accepter hos",
            (ActionText::Accept, true) => "Accept at",
            (ActionText::Sign, false) => "Underskriv hos",
            (ActionText::Sign, true) => "Sign at",
        }
    }
}

impl AuthRequest {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
    /// Whether the client asks for the CPR number, by the `ssn` scope or a `dk.cpr` claim
    /// request.
    pub fn asks_for_cpr(&self) -> bool {
        self.has_scope("ssn")
            || self.claims.as_ref().is_some_and(|c| {
                c.userinfo.contains_key("dk.cpr") || c.id_token.contains_key("dk.cpr")
            })
    }
    pub fn prompts(&self, p: Prompt) -> bool {
        self.prompt.contains(&p)
    }
    /// Danish unless the client asked for English first.
    pub fn english(&self) -> bool {
        self.ui_locales
            .iter()
            .find(|l| l.starts_with("da") || l.starts_with("en"))
            .is_some_and(|l| l.starts_with("en"))
    }
}

/// Which source on the decision ladder settled a login (DESIGN.md, "Deciding a login").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum DecisionSource {
    /// 1. A decision aimed at this login: the control API or the login page.
    Explicit { via: String },
    /// 2. A queued decision, consumed by this login.
    Queued { decision_id: String },
    /// 3. The request's `login_hint`, in auto-approve mode.
    LoginHint { user_id: UserId },
    /// 3. The request's own simulation parameter (NEB's `simulation=no-ui ...`).
    Simulation { person: String },
    /// 4. A rule on the identity.
    IdentityRule { user_id: UserId },
    /// 5. The instance default (auto-approve).
    InstanceDefault,
    /// No ladder: the browser already had a broker session that satisfied the request.
    ExistingSession,
}

/// What a decision says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// Log in as the identity (by user ID); `None` means the login's hinted or default identity.
    Approve {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<UserId>,
        /// For a login that asks for MitID Erhverv: the business identity chosen (professional
        /// UUID or CVR number), or `private`; `None` takes the person's first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        business: Option<String>,
    },
    /// The person cancels: `access_denied` goes back to the client.
    Reject {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
}

/// Where a login transaction is. Terminal states are written once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoginStatus {
    Pending,
    Approved {
        identity_id: IdentityId,
        user_id: UserId,
        acr: Level,
        amr: Vec<String>,
        #[serde(default)]
        assurance: Assurance,
        /// The MitID Erhverv identity chosen (its professional UUID).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        business: Option<String>,
        decided_by: DecisionSource,
        decided_at: UnixTime,
    },
    Rejected {
        /// The `error_description` the client gets: a code from the failure catalogue, or
        /// what an explicit rejection named.
        description: String,
        /// Why, in words, for `explain` and the log; never sent to the client.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        decided_by: DecisionSource,
        decided_at: UnixTime,
    },
}

impl LoginStatus {
    pub fn is_pending(&self) -> bool {
        matches!(self, LoginStatus::Pending)
    }
    pub fn name(&self) -> &'static str {
        match self {
            LoginStatus::Pending => "pending",
            LoginStatus::Approved { .. } => "approved",
            LoginStatus::Rejected { .. } => "rejected",
        }
    }
}

/// A login parked at the interaction boundary until something settles it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginTxn {
    pub id: TxnId,
    pub request: AuthRequest,
    /// Anti-CSRF token for the login page's forms.
    pub csrf: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub status: LoginStatus,
    /// Set once the outcome went back to the client; a login finishes only once.
    #[serde(default)]
    pub delivered: bool,
    /// What went back to the client, written with `delivered`: a repeated request for the
    /// finished login (a double click, the back button) gets the same answer while it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Delivered>,
    /// The interactive login's screens, while it is pending.
    #[serde(default)]
    pub flow: Flow,
}

/// The answer a finished login sent to the client, kept so a repeated request gets it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub to_client: ToClient,
    /// The hash of the authorization code in it: the answer holds while the code is unspent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<String>,
    /// The answer is not sent again after this (the code's lifetime).
    pub until: UnixTime,
}

/// How the answer reaches the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ToClient {
    Redirect {
        location: String,
    },
    FormPost {
        action: String,
        fields: Vec<(String, String)>,
    },
}

/// A decision waiting for the next login that matches its filters; consumed once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedDecision {
    pub id: String,
    #[serde(flatten)]
    pub outcome: DecisionOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Matches logins whose `login_hint` names this user ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_user_id: Option<UserId>,
    pub created_at: UnixTime,
}
