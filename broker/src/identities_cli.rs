//! `broker identities list|add|show|rm`: the test identities in the data directory, for people
//! at a terminal. The same checks as the control API; the output is text to read. When a broker
//! runs on the data directory it holds the SQLite file for itself, and the command goes through
//! that broker's control API instead ([`run_on_broker`]).

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};

use crate::mitid::Cpr;
use crate::model::{EnrolledAuthenticator, Identity, IdentityId, Level, UserId};
use crate::store::Store;
use crate::token_cli::{encode, Control, Target};
use reqwest::StatusCode;
use serde_json::Value;

#[derive(Subcommand, Debug)]
pub enum IdentitiesCommand {
    /// List the test identities.
    List,
    /// Show one identity (by user ID or UUID) as JSON.
    Show { key: String },
    /// Add a test identity.
    Add(AddArgs),
    /// Remove an identity (by user ID or UUID).
    Rm { key: String },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    #[arg(long)]
    pub user_id: String,
    #[arg(long)]
    pub given_name: String,
    #[arg(long)]
    pub family_name: String,
    /// Date of birth, YYYY-MM-DD (taken from --cpr when omitted).
    #[arg(long)]
    pub birthdate: Option<String>,
    /// CPR number, DDMMYY-SSSS; use a replacement number (day of month + 60).
    #[arg(long)]
    pub cpr: Option<String>,
    /// Identity assurance level.
    #[arg(long, value_enum, default_value = "substantial")]
    pub ial: IalArg,
    /// An authenticator; repeat for several (default: app).
    #[arg(long = "authenticator", value_enum)]
    pub authenticators: Vec<AuthenticatorArg>,
    /// A password, stored only as its Argon2 hash (adds the password authenticator).
    #[arg(long)]
    pub password: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum IalArg {
    Low,
    Substantial,
    High,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum AuthenticatorArg {
    App,
    /// The app enrolled at level high.
    AppHigh,
    CodeViewer,
    CodeReader,
    Chip,
    Password,
}

impl AuthenticatorArg {
    fn enrolled(self) -> EnrolledAuthenticator {
        match self {
            AuthenticatorArg::App => EnrolledAuthenticator::App {
                enrolled_at_high: false,
                pending_activation: None,
            },
            AuthenticatorArg::AppHigh => EnrolledAuthenticator::App {
                enrolled_at_high: true,
                pending_activation: None,
            },
            AuthenticatorArg::CodeViewer => EnrolledAuthenticator::CodeViewer {
                serial: None,
                pending_activation: None,
            },
            AuthenticatorArg::CodeReader => EnrolledAuthenticator::CodeReader {
                serial: None,
                pending_activation: None,
            },
            AuthenticatorArg::Chip => EnrolledAuthenticator::Chip { serial: None },
            AuthenticatorArg::Password => EnrolledAuthenticator::Password { hash: None },
        }
    }
}

/// Runs the command against `store`; returns what to print.
pub fn run(store: &Store, command: IdentitiesCommand) -> anyhow::Result<String> {
    match command {
        IdentitiesCommand::List => {
            let lines: Vec<String> = store.identities.list()?.iter().map(summary).collect();
            Ok(lines.join("\n"))
        }
        IdentitiesCommand::Show { key } => Ok(serde_json::to_string_pretty(&find(store, &key)?)?),
        IdentitiesCommand::Add(args) => {
            let identity = build(args, IdentityId::new(uuid::Uuid::new_v4().to_string()))?;
            store.identities.create(&identity)?;
            Ok(format!("added {}", summary(&identity)))
        }
        IdentitiesCommand::Rm { key } => {
            let identity = find(store, &key)?;
            store.identities.delete(&identity.id)?;
            Ok(format!("removed {} ({})", identity.user_id, identity.id))
        }
    }
}

/// Runs the command through the control API of the broker that holds the data directory's
/// database (its SQLite file is that process's alone while it runs); returns what to print.
/// The same checks apply, and the change shows in that broker at once.
pub async fn run_on_broker(target: &Target, command: IdentitiesCommand) -> anyhow::Result<String> {
    let control = Control::new(target)?;
    let on = format!("on the running broker at {}", target.issuer);
    let answer = |what: &str, (status, body): (StatusCode, Value)| -> anyhow::Result<Value> {
        if status == StatusCode::NOT_FOUND {
            bail!("{what}: no such identity {on}; `broker identities list` shows them");
        }
        if !status.is_success() {
            bail!("{what}: the broker {on} answered {status}: {body}");
        }
        Ok(body)
    };
    let path = |key: &str| format!("/identities/{}", encode(key));
    match command {
        IdentitiesCommand::List => {
            let listed = answer("list", control.get("/identities").await?)?;
            let identities: Vec<Identity> = serde_json::from_value(listed).map_err(|e| {
                anyhow!("the broker {on} listed identities this CLI cannot read: {e}")
            })?;
            Ok(identities
                .iter()
                .map(summary)
                .collect::<Vec<_>>()
                .join("\n"))
        }
        IdentitiesCommand::Show { key } => {
            let shown = answer(&key, control.get(&path(&key)).await?)?;
            Ok(serde_json::to_string_pretty(&shown)?)
        }
        IdentitiesCommand::Add(args) => {
            let identity = build(args, IdentityId::new(uuid::Uuid::new_v4().to_string()))?;
            control
                .post("/identities", &serde_json::to_value(&identity)?)
                .await?;
            Ok(format!("added {} {on}", summary(&identity)))
        }
        IdentitiesCommand::Rm { key } => {
            let shown = answer(&key, control.get(&path(&key)).await?)?;
            let identity: Identity = serde_json::from_value(shown)?;
            answer(&key, control.delete(&path(identity.id.as_str())).await?)?;
            Ok(format!(
                "removed {} ({}) {on}",
                identity.user_id, identity.id
            ))
        }
    }
}

/// One line: user ID, UUID, the level reached, status, name.
pub fn summary(identity: &Identity) -> String {
    let level = identity.reachable_level().map_or("none", |l| level_name(l));
    format!(
        "{:<16} {:<36} {:<12} {:<10} {}",
        identity.user_id.as_str(),
        identity.id.as_str(),
        level,
        identity.status.as_str(),
        identity.name()
    )
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Low => "low",
        Level::Substantial => "substantial",
        Level::High => "high",
    }
}

fn find(store: &Store, key: &str) -> anyhow::Result<Identity> {
    if let Some(identity) = store.identities.get(&IdentityId::new(key))? {
        return Ok(identity);
    }
    store
        .identities
        .by_user_id(&UserId::new(key))?
        .ok_or_else(|| anyhow!("no identity {key}; `broker identities list` shows them"))
}

/// The identity `add` describes, checked like one from the control API.
pub fn build(args: AddArgs, id: IdentityId) -> anyhow::Result<Identity> {
    let mut identity = Identity::new(
        id,
        UserId::new(args.user_id),
        &args.given_name,
        &args.family_name,
    );
    identity.cpr = args
        .cpr
        .as_deref()
        .map(Cpr::parse)
        .transpose()
        .map_err(|e| anyhow!("--cpr: {e}"))?;
    identity.birthdate = args
        .birthdate
        .or_else(|| identity.cpr.map(|c| c.date_of_birth().to_string()));
    identity.ial = match args.ial {
        IalArg::Low => Level::Low,
        IalArg::Substantial => Level::Substantial,
        IalArg::High => Level::High,
    };
    if !args.authenticators.is_empty() {
        identity.authenticators = args.authenticators.iter().map(|a| a.enrolled()).collect();
    }
    identity.email = args.email;
    if let Some(password) = args.password {
        identity.set_password(&password)?;
    }
    if let Err(e) = identity.check() {
        bail!("{e}");
    }
    Ok(identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    fn args(user_id: &str) -> AddArgs {
        AddArgs {
            user_id: user_id.into(),
            given_name: "Eva".into(),
            family_name: "Ny".into(),
            birthdate: None,
            cpr: None,
            ial: IalArg::Substantial,
            authenticators: vec![],
            password: None,
            email: None,
        }
    }

    fn store() -> Store {
        Store::from_sqlite(SqliteStore::in_memory().unwrap())
    }

    #[test]
    fn add_show_list_and_remove() {
        let store = store();
        let mut add = args("eva");
        add.cpr = Some("720490-1236".into());
        let added = run(&store, IdentitiesCommand::Add(add)).unwrap();
        assert!(
            added.contains("eva") && added.contains("substantial"),
            "{added}"
        );
        let shown = run(&store, IdentitiesCommand::Show { key: "eva".into() }).unwrap();
        let json: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(json["birthdate"], "1990-04-12", "taken from the CPR");
        assert_eq!(json["cpr"], "720490-1236");
        let list = run(&store, IdentitiesCommand::List).unwrap();
        assert!(list.contains("Eva Ny"));
        let removed = run(&store, IdentitiesCommand::Rm { key: "eva".into() }).unwrap();
        assert!(removed.starts_with("removed eva"));
        assert!(run(&store, IdentitiesCommand::Show { key: "eva".into() }).is_err());
    }

    #[test]
    fn add_with_authenticators_ial_and_a_hashed_password() {
        let mut add = args("pia");
        add.ial = IalArg::High;
        add.authenticators = vec![AuthenticatorArg::Chip];
        add.password = Some("hemmelig".into());
        let identity = build(add, IdentityId::new("u")).unwrap();
        assert_eq!(identity.reachable_level(), Some(Level::High));
        assert!(identity.verify_password("hemmelig"));
        assert!(!serde_json::to_string(&identity)
            .unwrap()
            .contains("hemmelig"));
    }

    #[test]
    fn add_refuses_a_bad_cpr_or_a_disagreeing_birthdate() {
        let mut add = args("bad");
        add.cpr = Some("123".into());
        assert!(build(add, IdentityId::new("u")).is_err());
        let mut add = args("bad");
        add.cpr = Some("720490-1236".into());
        add.birthdate = Some("1990-04-13".into());
        let e = build(add, IdentityId::new("u")).unwrap_err().to_string();
        assert!(e.contains("birth"), "{e}");
    }
}
