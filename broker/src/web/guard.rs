//! Loopback is not a boundary (DESIGN.md, "Web pages"): the rules of the `webguard` crate,
//! with the broker's paths. The host allowlist answers to `localhost` (and `*.localhost`),
//! `127.0.0.1`, `[::1]`, the issuer's host and the configured `allowed_hosts`; the simulator
//! (`/_sim`) and dynamic registration answer only pages of their own; `/_sim/v1` and
//! `/register` take only JSON bodies; with a control token, `/_sim` (but the scripts the login
//! screens load) is locked. The OAuth endpoints are left alone: real clients call them from
//! servers and browsers.

use crate::app::Broker;
use crate::paths;

pub use webguard::{guard, Policy};

/// The broker's guard policy.
pub fn policy(broker: &Broker) -> Policy {
    Policy {
        hosts: webguard::Hosts::new(
            [broker.base_issuer().as_str()],
            &broker.config.allowed_hosts,
        ),
        paths: webguard::Paths {
            own_site_only: |path| is_simulator(path) || is_registration(path),
            json_only: |path| path.starts_with(paths::CONTROL) || is_registration(path),
            locked: |path| is_simulator(path) && !path.starts_with(paths::SIM_STATIC),
            api: |path| path.starts_with(paths::CONTROL),
        },
        lock: broker.config.control_token.as_deref().map(|token| {
            webguard::ControlLock::new(token, broker.issuer.as_str().starts_with("https://"))
        }),
    }
}

fn is_simulator(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

/// Dynamic registration and the client configuration endpoint, below any issuer's path.
fn is_registration(path: &str) -> bool {
    let name = paths::REGISTER.trim_start_matches('/');
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    segments.any(|s| s == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_is_recognised_below_any_issuer_path() {
        assert!(is_registration("/register"));
        assert!(is_registration("/register/abc"));
        assert!(is_registration("/broker/register"));
        assert!(!is_registration("/registered"));
        assert!(!is_registration("/authorize"));
    }
}
