//! The broker's data: what is stored, named after the spec concepts.

mod assurance;
mod authenticators;
mod business;
mod case;
mod claims_request;
mod client;
mod fault;
mod flow;
mod grant;
mod identity;
mod ids;
mod level;
mod login;
mod onboarding;
mod outbox;
mod profile;
mod pushed;
mod request_log;
mod response;

pub use assurance::{Assurance, Idp};
pub use authenticators::{ActivationState, EnrolledAuthenticator};
pub use business::{BusinessIdentity, BusinessRole, NemId};
pub use case::{Case, CaseStep, DocumentType, Evidence, Question, QuestionKind};
pub use claims_request::{ClaimRequest, ClaimsRequest};
pub use client::{AuthMethod, Client, ClientDefaults, ClientJose, Registration, SubjectType};
pub use fault::{
    Expect, Fault, FaultSpec, QueuedFault, RpAct, RpEvent, Stage, CATALOGUE as FAULTS,
    DEFAULT_DELAY_SECONDS,
};
pub use flow::{AppRequest, Device, DeviceState, Failure, Flow, Method, Notice, Step};
pub use grant::{AccessToken, AuthCode, Grant, RefreshToken, Session};
pub use identity::{
    parse_date, Address, CprStatus, Identity, IdentityError, IdentityRule, IdentityStatus,
};
pub use ids::{CaseId, ClientId, GrantId, IdentityId, Sid, TxnId, UserId};
pub use level::Level;
pub use login::{
    ActionText, AuthRequest, DecisionOutcome, DecisionSource, Delivered, LoginStatus, LoginTxn,
    Prompt, QueuedDecision, Simulation, ToClient,
};
pub use onboarding::{Challenge, DocumentChoice, Onboarding, Step as OnboardingStep};
pub use outbox::{Channel, OutboxMessage};
pub use profile::Profile;
pub use pushed::PushedRequest;
pub use request_log::{
    BelongsTo, DecodedJwt, LoggedJwt, LoggedRequest, Param, RequestFilter, StoredRequest, REDACTED,
};
pub use response::{ResponseMode, ResponseType};
