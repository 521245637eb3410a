//! The simulated devices' secrets, derived from the instance's secret and never stored: the
//! code viewer's and code reader's TOTP secrets (HMAC-SHA-256 of the serial) and the NemID key
//! card (from the person's seed).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::app::Broker;
use crate::error::OAuthError;
use crate::mitid::{self, KeyCard, TotpDevice};
use crate::model::{Device, EnrolledAuthenticator, Identity};

/// The person's `generation`-th key card (0: the first), from their NemID seed.
pub fn issue_key_card(
    broker: &Broker,
    identity: &Identity,
    generation: u64,
) -> Result<Option<KeyCard>, OAuthError> {
    let Some(seed) = identity.nemid.as_ref().and_then(|n| n.key_card_seed) else {
        return Ok(None);
    };
    KeyCard::generate(
        seed.wrapping_add(generation),
        broker.config.login.key_card_size,
    )
    .map(Some)
    .map_err(|e| OAuthError::server_error(e.to_string()))
}

/// The TOTP generator of an identity's code viewer or code reader. Its secret is derived
/// from the device's serial with the instance's secret (HMAC-SHA-256), so the device page and
/// the login agree without storing a secret, and another instance's devices differ. Only an
/// activated device counts.
pub fn code_device(broker: &Broker, identity: &Identity, device: Device) -> Option<TotpDevice> {
    let serial = identity
        .authenticators
        .iter()
        .filter(|a| a.is_active())
        .find_map(|a| match (a, device) {
            (EnrolledAuthenticator::CodeViewer { serial, .. }, Device::CodeViewer)
            | (EnrolledAuthenticator::CodeReader { serial, .. }, Device::CodeReader) => Some(
                serial
                    .clone()
                    .unwrap_or_else(|| format!("{}-{}", device.as_str(), identity.id)),
            ),
            _ => None,
        })?;
    device_for_serial(broker, &serial)
}

/// The TOTP generator of the code device with this serial.
pub fn device_for_serial(broker: &Broker, serial: &str) -> Option<TotpDevice> {
    let mut mac = Hmac::<Sha256>::new_from_slice(broker.pairwise_salt.as_bytes()).ok()?;
    mac.update(b"code-device-secret:");
    mac.update(serial.as_bytes());
    let secret = mac.finalize().into_bytes();
    TotpDevice::new(secret[..mitid::totp::SECRET_BYTES].to_vec()).ok()
}
