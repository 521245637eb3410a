//! The dialects of the real MitID brokers, as mappings onto the one protocol core (DESIGN.md,
//! "Issuers and profiles": a profile is a mapping, not a second engine). Each profile
//! translates its request grammar into the standard's parameters on the way in, and the
//! standard's answers into its own names, types and envelopes on the way out; the logins,
//! identities and clients behind them are the same. Every known difference from the real
//! broker is an entry in the fidelity ledger ([`ledger`]).
//!
//! - [`neb`]: Signaturgruppen's broker (Nets eID Broker), issuer `/op`;
//! - [`idura`]: Idura (formerly Criipto Verify), issuer `/idura`;
//! - [`signicat`]: Signicat, issuer `/auth/open`.

pub mod idura;
pub mod ledger;
pub mod neb;
pub mod signicat;

use base64::Engine;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::model::{Identity, Profile, Simulation};
use crate::oidc::Params;
use crate::store::StoreError;

/// An authorization request in the standard's terms, from a profile's grammar.
#[derive(Debug, Default)]
pub struct Dialect {
    /// The parameters rewritten into the standard's (`None`: as sent).
    pub params: Option<Params>,
    /// A headless login the request asks for (NEB's `simulation`).
    pub simulation: Option<Simulation>,
}

/// Why a profile refused a request before the standard checks ran.
#[derive(Debug)]
pub enum Refusal {
    /// The real broker shows its own error page and never redirects to the client.
    ErrorPage(OAuthError),
    /// The real broker answers the client at its redirect URI.
    ToClient(OAuthError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::ToClient(e.into())
    }
}

/// Translates an authorization request from `broker`'s profile into the standard's terms.
pub fn request(broker: &Broker, params: &Params) -> Result<Dialect, Refusal> {
    match broker.profile {
        Profile::Standard => Ok(Dialect::default()),
        Profile::Neb => neb::request(broker, params),
        Profile::Idura => idura::request(broker, params),
        Profile::Signicat => signicat::request(params),
    }
}

/// The rewrites a profile makes: parameters set (an empty value removes one).
#[derive(Debug, Default)]
struct Rewrite {
    set: Vec<(String, String)>,
}

impl Rewrite {
    fn set(&mut self, name: &str, value: impl Into<String>) {
        self.set.retain(|(n, _)| n != name);
        self.set.push((name.to_string(), value.into()));
    }

    fn remove(&mut self, name: &str) {
        self.set(name, "");
    }

    fn apply(self, params: &Params) -> Params {
        params.merged(self.set, &[])
    }
}

/// Text sent base64-encoded (NEB's `reference_text`, Idura's `message:`): standard or URL-safe
/// alphabet, with or without padding, and UTF-8.
fn decode_text(value: &str) -> Option<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let value = value.trim();
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(value).ok())?;
    String::from_utf8(bytes).ok()
}

/// The identity with this MitID UUID (the identity's id).
fn by_uuid(broker: &Broker, uuid: &str) -> Result<Option<Identity>, StoreError> {
    broker
        .store
        .identities
        .get(&crate::model::IdentityId::new(uuid.trim()))
}

/// The identity with this CPR number (10 digits, a hyphen allowed).
fn by_cpr(broker: &Broker, cpr: &str) -> Result<Option<Identity>, StoreError> {
    let digits: String = cpr.chars().filter(char::is_ascii_digit).collect();
    Ok(broker
        .store
        .identities
        .list()?
        .into_iter()
        .find(|i| i.cpr.as_ref().is_some_and(|c| c.to_digits() == digits)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_decodes_from_either_base64_alphabet_with_or_without_padding() {
        assert_eq!(
            decode_text("TGVqZWtvbnRyYWt0").as_deref(),
            Some("Lejekontrakt")
        );
        assert_eq!(decode_text("w6bDuMOl").as_deref(), Some("æøå"));
        assert_eq!(decode_text("w6bDuMOl ").as_deref(), Some("æøå"));
        assert_eq!(decode_text("P_8").as_deref(), None, "not UTF-8");
        assert_eq!(decode_text("not base64!"), None);
    }

    #[test]
    fn a_rewrite_sets_replaces_and_removes() {
        let params = Params::parse(b"a=1&b=2");
        let mut rewrite = Rewrite::default();
        rewrite.set("a", "x");
        rewrite.set("a", "y");
        rewrite.remove("b");
        rewrite.set("c", "3");
        let out = rewrite.apply(&params);
        assert_eq!(out.get("a"), Some("y"));
        assert_eq!(out.get("b"), None);
        assert_eq!(out.get("c"), Some("3"));
    }
}
