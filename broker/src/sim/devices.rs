//! An identity's devices as a test or a developer sees them: wrong attempts and blocks, and
//! blocking or unblocking one.

use super::{SimError, SimResult};
use crate::app::Broker;
use crate::clock::UnixTime;
use crate::login::devices;
use crate::mitid::LockoutPolicy;
use crate::model::{Device, Identity};

/// A device by its name (`app`, `code_viewer`, ...).
pub fn parse_device(name: &str) -> SimResult<Device> {
    Device::parse(name).ok_or_else(|| {
        let known: Vec<&str> = Device::ALL.iter().map(|d| d.as_str()).collect();
        SimError::BadInput(format!(
            "unknown device {name:?}; one of {}",
            known.join(", ")
        ))
    })
}

/// One device's wrong attempts and block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLockout {
    pub device: Device,
    pub failures: u32,
    pub blocked_until: Option<UnixTime>,
}

/// Every device's wrong attempts and block, and the key card's codes left.
pub fn lockouts(
    broker: &Broker,
    identity: &Identity,
) -> SimResult<(Vec<DeviceLockout>, Option<usize>)> {
    let now = broker.now();
    let state = broker.store.devices.get(&identity.id)?;
    let list = Device::ALL
        .into_iter()
        .map(|device| {
            let lockout = state.lockout(device);
            DeviceLockout {
                device,
                failures: lockout.failures,
                blocked_until: lockout.block_end(now),
            }
        })
        .collect();
    Ok((list, state.key_card.as_ref().map(|c| c.remaining())))
}

/// Blocks a device for `seconds` (the configured lockout length by default); answers until
/// when.
pub fn block(
    broker: &Broker,
    identity: &Identity,
    device: Device,
    seconds: Option<u64>,
) -> SimResult<UnixTime> {
    let default: LockoutPolicy = match device {
        Device::Password => broker.config.login.password_lockout,
        _ => broker.config.login.code_lockout,
    };
    let seconds = seconds.unwrap_or(default.block_seconds).max(1);
    Ok(devices::block(
        broker,
        identity,
        device,
        seconds,
        broker.now(),
    )?)
}

pub fn unblock(broker: &Broker, identity: &Identity, device: Device) -> SimResult<()> {
    Ok(devices::unblock(broker, identity, device)?)
}
