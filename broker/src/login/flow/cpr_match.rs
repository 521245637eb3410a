//! CPR match: a private service (`private_service` client) that asks for the CPR number
//! (scope `ssn`) has the person type their CPR number after authenticating, when they have
//! one. It must be theirs; after `login.cpr_match_tries` wrong numbers (3 by default) the
//! login fails with `mitid_cpr_match_failed`. Then the login goes on to the business identity
//! or the approval.

use super::methods::allows_private;
use super::{failed, Ctx, Next};
use crate::error::OAuthError;
use crate::mitid::Cpr;
use crate::model::{Failure, Flow, Identity, Idp, Method, Notice, Step};

impl Ctx<'_> {
    /// The authenticators are done: CPR match, business identity, then approval.
    pub(super) fn authenticated(
        &self,
        flow: &mut Flow,
        identity: &Identity,
    ) -> Result<Next, OAuthError> {
        let client = self.broker.store.clients.get(&self.request.client_id)?;
        let private_service = client.is_some_and(|c| c.private_service);
        if self.request.asks_for_cpr() && private_service && identity.cpr.is_some() {
            flow.step = Step::Cpr;
            return Ok(Next::Continue);
        }
        self.after_cpr(flow, identity)
    }

    pub(super) fn after_cpr(
        &self,
        flow: &mut Flow,
        identity: &Identity,
    ) -> Result<Next, OAuthError> {
        let wants_business = self.request.idp_values.contains(&Idp::MitidErhverv);
        if wants_business && !identity.business.is_empty() && flow.method != Some(Method::Nemid) {
            flow.step = Step::Business;
            return Ok(Next::Continue);
        }
        if wants_business && !allows_private(self.request) && flow.method != Some(Method::Nemid) {
            flow.step = failed(Failure::NoBusinessIdentity);
            return Ok(Next::Continue);
        }
        Ok(self.approve(flow, identity))
    }

    pub(super) fn cpr(
        &self,
        flow: &mut Flow,
        identity: &Identity,
        text: &str,
    ) -> Result<Next, OAuthError> {
        // Spaces are how people group digits: "720490 1236" is the number.
        let compact: String = text.split_whitespace().collect();
        let Ok(typed) = Cpr::parse(&compact) else {
            // Not a CPR number at all: a typing slip, not a wrong guess.
            flow.notice = Some(Notice::CprFormat);
            return Ok(Next::Continue);
        };
        if Some(typed) == identity.cpr {
            return self.after_cpr(flow, identity);
        }
        flow.cpr_failures += 1;
        let tries = self.broker.config.login.cpr_match_tries.max(1);
        if flow.cpr_failures >= tries {
            flow.step = failed(Failure::CprMatchFailed);
        } else {
            flow.notice = Some(Notice::WrongCpr {
                attempts_left: tries - flow.cpr_failures,
            });
        }
        Ok(Next::Continue)
    }
}
