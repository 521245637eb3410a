//! Ordering a code viewer or code reader, and activating it (or the app) with the code from the
//! letter. The device arrives waiting for activation and counts for nothing until then; the
//! activation code exists in clear only in the letter (the outbox), the identity keeps its
//! peppered hash (`mitid::activation`).

use rand::Rng;

use crate::app::Broker;
use crate::clock::UnixTime;
use crate::login::devices;
use crate::mitid::activation::{hash_code, MAX_FAILURES};
use crate::mitid::{ActivationAttempt, ActivationCode, PendingActivation};
use crate::model::{Channel, Device, EnrolledAuthenticator, Identity, OutboxMessage};
use crate::outbox;
use crate::paths::{SIM_APP, SIM_CODE_READER, SIM_CODE_VIEWER};
use crate::store::StoreError;

/// Why an activation (or an order) did not go through. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ActivationError {
    #[error("no code viewer or code reader has the serial {0}")]
    NoSuchDevice(String),
    #[error("{0} has no MitID app")]
    NoApp(String),
    #[error("it is already activated; log in with it")]
    AlreadyActive,
    #[error("the activation code is wrong; {attempts_left} attempt(s) left")]
    Wrong { attempts_left: u32 },
    #[error(
        "the activation is blocked after {MAX_FAILURES} wrong codes; order a new device \
         (the letter's code no longer works)"
    )]
    Blocked,
    #[error("only the app, a code viewer or a code reader can be ordered")]
    NotACodeDevice,
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The secret the activation codes' hashes are peppered with: the instance's own secret, so a
/// hash read from the database or the control API cannot be searched offline.
fn pepper(broker: &Broker) -> &str {
    &broker.pairwise_salt
}

/// A fresh activation code and the pending activation that expects it.
pub fn new_activation(broker: &Broker, now: UnixTime) -> (PendingActivation, ActivationCode) {
    let code = ActivationCode::generate(&mut rand::thread_rng());
    (PendingActivation::new(code.hash(pepper(broker)), now), code)
}

/// A serial no device of any identity has: `KV-` (code viewer) or `KO-` (code reader, *kode-
/// oplæser*) and nine digits.
pub fn new_serial(broker: &Broker, device: Device) -> Result<String, ActivationError> {
    let prefix = match device {
        Device::CodeViewer => "KV",
        Device::CodeReader => "KO",
        _ => return Err(ActivationError::NotACodeDevice),
    };
    let taken: Vec<String> = broker
        .store
        .identities
        .list()?
        .iter()
        .flat_map(|i| i.authenticators.iter().filter_map(|a| a.serial()))
        .map(str::to_string)
        .collect();
    let mut rng = rand::thread_rng();
    loop {
        let serial = format!("{prefix}-{:09}", rng.gen_range(0..1_000_000_000u32));
        if !taken.contains(&serial) {
            return Ok(serial);
        }
    }
}

/// A code viewer or code reader waiting for activation.
pub fn pending_code_device(
    device: Device,
    serial: String,
    pending: PendingActivation,
) -> Result<EnrolledAuthenticator, ActivationError> {
    match device {
        Device::CodeViewer => Ok(EnrolledAuthenticator::CodeViewer {
            serial: Some(serial),
            pending_activation: Some(pending),
        }),
        Device::CodeReader => Ok(EnrolledAuthenticator::CodeReader {
            serial: Some(serial),
            pending_activation: Some(pending),
        }),
        _ => Err(ActivationError::NotACodeDevice),
    }
}

/// A device ordered: the identity as stored now, the new serial (none for the app) and the
/// letter.
pub struct Ordered {
    pub identity: Identity,
    pub device: Device,
    pub serial: Option<String>,
    pub letter: OutboxMessage,
}

/// Orders a code viewer or code reader for a person, or a new activation letter for their app:
/// it is added waiting for activation (in place of one of the same kind still waiting, whose
/// letter no longer works), and the letter with the activation code goes to the person. One of
/// the kind already in use keeps working until the new one is activated.
pub fn order_device(
    broker: &Broker,
    identity: &Identity,
    device: Device,
    now: UnixTime,
) -> Result<Ordered, ActivationError> {
    let (pending, code) = new_activation(broker, now);
    let (authenticator, serial) = match device {
        Device::App => (
            EnrolledAuthenticator::App {
                enrolled_at_high: false,
                pending_activation: Some(pending),
            },
            None,
        ),
        Device::CodeViewer | Device::CodeReader => {
            let serial = new_serial(broker, device)?;
            (
                pending_code_device(device, serial.clone(), pending)?,
                Some(serial),
            )
        }
        _ => return Err(ActivationError::NotACodeDevice),
    };
    let mut identity = identity.clone();
    identity
        .authenticators
        .retain(|a| a.device() != Some(device) || a.is_active());
    identity.authenticators.push(authenticator);
    broker.store.identities.update(&identity)?;
    let letter = send_letter(broker, &identity, device, serial.as_deref(), &code)?;
    Ok(Ordered {
        identity,
        device,
        serial,
        letter,
    })
}

/// The simulator's pages, from the issuer's origin (they live outside its path).
fn sim_origin(broker: &Broker) -> String {
    url::Url::parse(broker.issuer.as_str())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

/// The addressee of a letter: name and address.
fn addressee(identity: &Identity) -> String {
    let mut parts = vec![identity.name()];
    if let Some(address) = &identity.address {
        parts.extend(address.street_address.clone());
        let town = [address.postal_code.as_deref(), address.locality.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !town.is_empty() {
            parts.push(town);
        }
    }
    parts.join(", ")
}

/// Sends the activation letter for the person's new app, code viewer or code reader. The code
/// is in the letter only; `outbox::send` logs nothing of the body.
pub fn send_letter(
    broker: &Broker,
    identity: &Identity,
    device: Device,
    serial: Option<&str>,
    code: &ActivationCode,
) -> Result<OutboxMessage, ActivationError> {
    let origin = sim_origin(broker);
    let (name_da, name_en, page) = match (device, serial) {
        (Device::CodeViewer, Some(serial)) => (
            "kodeviser",
            "code viewer",
            format!("{origin}{SIM_CODE_VIEWER}/{serial}"),
        ),
        (Device::CodeReader, Some(serial)) => (
            "kodeoplæser",
            "code reader",
            format!("{origin}{SIM_CODE_READER}/{serial}"),
        ),
        (Device::App, _) => (
            "MitID app",
            "MitID app",
            format!("{origin}{SIM_APP}/{}", identity.user_id),
        ),
        _ => return Err(ActivationError::NotACodeDevice),
    };
    let serial_line = serial
        .map(|s| format!("Serienummer (serial number): {s}\n"))
        .unwrap_or_default();
    let body = format!(
        "Kære {name}\n\
         \n\
         Her er aktiveringskoden til din nye {name_da} (MitID, bruger-ID {user}).\n\
         \n\
         {serial_line}\
         Aktiveringskode (activation code): {code}\n\
         \n\
         Sådan aktiverer du: åbn {page} og skriv aktiveringskoden. Du har {MAX_FAILURES} forsøg; \
         derefter må du bestille en ny. Indtil den er aktiveret, kan du ikke logge på med den.\n\
         \n\
         In English: to activate your new {name_en}, open {page} and type the activation code \
         above. After {MAX_FAILURES} wrong codes the activation is blocked and a new one must be \
         ordered. Until it is activated it cannot be used to log in.\n\
         \n\
         Venlig hilsen / Kind regards\n\
         MitID (simulator — no real identity is involved)\n",
        name = identity.name(),
        user = identity.user_id,
        code = code.printed(),
    );
    let subject = format!("Aktivér din {name_da} / Activate your {name_en}");
    Ok(outbox::send(
        broker,
        Channel::Letter,
        &addressee(identity),
        &subject,
        &body,
    )?)
}

/// Types an activation code into the authenticator at `index` of the identity; stores the
/// outcome (activated, or the wrong attempt counted).
fn activate_at(
    broker: &Broker,
    identity: &Identity,
    index: usize,
    typed: &str,
) -> Result<Identity, ActivationError> {
    let mut identity = identity.clone();
    let device = identity
        .authenticators
        .get(index)
        .and_then(EnrolledAuthenticator::device);
    let typed_hash = hash_code(pepper(broker), typed);
    let outcome = {
        let Some(slot) = identity
            .authenticators
            .get_mut(index)
            .and_then(|a| a.pending_activation_mut())
        else {
            return Err(ActivationError::AlreadyActive);
        };
        let Some(pending) = slot.as_mut() else {
            return Err(ActivationError::AlreadyActive);
        };
        let was_blocked = pending.blocked;
        let outcome = pending.attempt(&typed_hash);
        if outcome == ActivationAttempt::Activated {
            *slot = None;
        } else if was_blocked {
            // Nothing changed: nothing to store.
            return Err(ActivationError::Blocked);
        }
        outcome
    };
    if outcome == ActivationAttempt::Activated {
        // The new device replaces the one of its kind in use before (its serial stops working).
        let mut position = 0;
        identity.authenticators.retain(|a| {
            let keep = position == index || a.device() != device || !a.is_active();
            position += 1;
            keep
        });
    }
    broker.store.identities.update(&identity)?;
    match outcome {
        ActivationAttempt::Activated => {
            tracing::info!(user_id = %identity.user_id, "authenticator activated");
            Ok(identity)
        }
        ActivationAttempt::Wrong { attempts_left } => Err(ActivationError::Wrong { attempts_left }),
        ActivationAttempt::Blocked => Err(ActivationError::Blocked),
    }
}

/// Activates the code viewer or code reader with this serial.
pub fn activate_code_device(
    broker: &Broker,
    serial: &str,
    typed: &str,
) -> Result<(Identity, Device), ActivationError> {
    let Some((identity, device)) = devices::find_code_device(broker, serial)? else {
        return Err(ActivationError::NoSuchDevice(serial.into()));
    };
    let index = identity
        .authenticators
        .iter()
        .position(|a| a.serial() == Some(serial) && a.device() == Some(device))
        .ok_or_else(|| ActivationError::NoSuchDevice(serial.into()))?;
    Ok((activate_at(broker, &identity, index, typed)?, device))
}

/// Activates the person's app waiting for activation.
pub fn activate_app(
    broker: &Broker,
    identity: &Identity,
    typed: &str,
) -> Result<Identity, ActivationError> {
    let apps: Vec<usize> = identity
        .authenticators
        .iter()
        .enumerate()
        .filter(|(_, a)| a.device() == Some(Device::App))
        .map(|(i, _)| i)
        .collect();
    if apps.is_empty() {
        return Err(ActivationError::NoApp(identity.user_id.to_string()));
    }
    let waiting = apps.iter().copied().find(|i| {
        identity
            .authenticators
            .get(*i)
            .is_some_and(|a| !a.is_active())
    });
    match waiting {
        Some(index) => activate_at(broker, identity, index, typed),
        None => Err(ActivationError::AlreadyActive),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::model::{ActivationState, Level, UserId};
    use crate::server::{build, Storage};
    use crate::Config;
    use std::sync::Arc;

    const T0: UnixTime = 1_790_000_000;

    fn broker() -> Broker {
        let clock = Arc::new(ManualClock::new(T0));
        build(
            Config::default(),
            "http://localhost:8080",
            clock,
            Storage::Memory,
        )
        .unwrap()
    }

    fn person(b: &Broker, user: &str) -> Identity {
        b.store
            .identities
            .by_user_id(&UserId::new(user))
            .unwrap()
            .unwrap()
    }

    /// The activation code in the newest letter.
    fn code_in_letter(b: &Broker) -> String {
        let letter = b.store.outbox.list(1).unwrap().remove(0);
        let line = letter
            .body
            .lines()
            .find(|l| l.starts_with("Aktiveringskode"))
            .unwrap();
        line.rsplit(' ').next().unwrap().to_string()
    }

    #[test]
    fn an_ordered_code_viewer_counts_for_nothing_until_activated() {
        let b = broker();
        let anna = person(&b, "anna");
        let ordered = order_device(&b, &anna, Device::CodeViewer, T0).unwrap();
        let serial = ordered.serial.clone().unwrap();
        assert!(serial.starts_with("KV-") && serial.len() == 12);
        assert_eq!(ordered.letter.channel, Channel::Letter);
        assert!(ordered.letter.to.starts_with("Anna Testesen, "));
        assert!(ordered.letter.body.contains(&serial));
        let stored = person(&b, "anna");
        assert_eq!(stored.authenticator_kinds(), anna.authenticator_kinds());
        assert_eq!(
            stored.code_device_state(&serial),
            Some(ActivationState::Pending { attempts_left: 3 })
        );
        let code = code_in_letter(&b);
        assert!(
            !serde_json::to_string(&stored).unwrap().contains(&code),
            "only a hash is stored"
        );
        assert!(matches!(
            activate_code_device(&b, &serial, "AAAA-AAAA"),
            Err(ActivationError::Wrong { attempts_left: 2 })
        ));
        let (active, device) = activate_code_device(&b, &serial, &code).unwrap();
        assert_eq!(device, Device::CodeViewer);
        assert!(active
            .authenticator_kinds()
            .contains(&crate::mitid::Authenticator::CodeViewer));
        assert_eq!(person(&b, "anna"), active);
        assert!(matches!(
            activate_code_device(&b, &serial, &code),
            Err(ActivationError::AlreadyActive)
        ));
        assert_eq!(active.reachable_level(), Some(Level::Substantial));
    }

    #[test]
    fn three_wrong_codes_block_and_a_new_order_replaces_the_blocked_one() {
        let b = broker();
        let anna = person(&b, "anna");
        let first = order_device(&b, &anna, Device::CodeReader, T0).unwrap();
        let first_serial = first.serial.unwrap();
        assert!(first_serial.starts_with("KO-"));
        let code = code_in_letter(&b);
        for _ in 0..2 {
            assert!(matches!(
                activate_code_device(&b, &first_serial, "AAAA-AAAA"),
                Err(ActivationError::Wrong { .. })
            ));
        }
        assert!(matches!(
            activate_code_device(&b, &first_serial, "AAAA-AAAA"),
            Err(ActivationError::Blocked)
        ));
        assert!(matches!(
            activate_code_device(&b, &first_serial, &code),
            Err(ActivationError::Blocked)
        ));
        let second = order_device(&b, &person(&b, "anna"), Device::CodeReader, T0).unwrap();
        let stored = person(&b, "anna");
        assert_eq!(stored.code_device_state(&first_serial), None, "replaced");
        let code = code_in_letter(&b);
        activate_code_device(&b, &second.serial.unwrap(), &code).unwrap();
    }

    #[test]
    fn activating_a_new_code_viewer_retires_the_old_one() {
        let b = broker();
        let dorthe = person(&b, "dorthe");
        let ordered = order_device(&b, &dorthe, Device::CodeViewer, T0).unwrap();
        // The old one keeps working until the new one is activated.
        let stored = person(&b, "dorthe");
        assert_eq!(
            stored.code_device_state("KV-100200300"),
            Some(ActivationState::Active)
        );
        let serial = ordered.serial.unwrap();
        activate_code_device(&b, &serial, &code_in_letter(&b)).unwrap();
        let stored = person(&b, "dorthe");
        assert_eq!(stored.code_device_state("KV-100200300"), None);
        assert_eq!(
            stored.code_device_state(&serial),
            Some(ActivationState::Active)
        );
    }

    #[test]
    fn a_new_app_waits_for_its_letter_and_then_replaces_the_old_one() {
        let b = broker();
        let anna = person(&b, "anna");
        assert!(matches!(
            activate_app(&b, &anna, "AAAA-AAAA"),
            Err(ActivationError::AlreadyActive)
        ));
        let ordered = order_device(&b, &anna, Device::App, T0).unwrap();
        assert!(ordered.serial.is_none());
        assert!(ordered.letter.body.contains("/_sim/app/anna"));
        let stored = person(&b, "anna");
        assert!(stored.pending_app().is_some());
        // The old app still logs in until the new one is activated.
        assert_eq!(stored.authenticator_kinds(), anna.authenticator_kinds());
        let active = activate_app(&b, &stored, &code_in_letter(&b)).unwrap();
        assert!(active.pending_app().is_none());
        let apps = active
            .authenticators
            .iter()
            .filter(|a| matches!(a, EnrolledAuthenticator::App { .. }))
            .count();
        assert_eq!(apps, 1, "the new app replaced the old");
        assert!(matches!(
            activate_app(&b, &person(&b, "carl"), "x"),
            Err(ActivationError::NoApp(_))
        ));
    }
}
