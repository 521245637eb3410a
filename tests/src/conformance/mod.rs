//! The conformance runner: the OpenID Foundation's OP test plans (Basic, Config, Dynamic,
//! Form Post, RP-Initiated Logout, Back-Channel Logout), run against any issuer with the
//! suite's module names, every check derived from the specification text it cites.
//!
//! ```no_run
//! # async fn demo() {
//! use tests::conformance::{run, Options, Plan};
//! let mut options = Options::new("https://op.example", Plan::Basic);
//! options.sim_control = Some("https://op.example/_sim/v1".into());
//! let report = run(options).await;
//! println!("{}", report.render());
//! # }
//! ```

pub mod checks;
pub mod env;
pub mod html;
pub mod jose;
mod modules;
pub mod receiver;
pub mod report;

use checks::{Check, Findings};
pub use env::{ClientAuth, Env};
pub use report::{ModuleReport, Outcome, Report, Severity, Violation};

/// A test plan (the suite's `oidcc-*-certification-test-plan`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Basic,
    Config,
    Dynamic,
    FormPost,
    RpLogout,
    BackchannelLogout,
}

impl Plan {
    pub const ALL: [Plan; 6] = [
        Plan::Basic,
        Plan::Config,
        Plan::Dynamic,
        Plan::FormPost,
        Plan::RpLogout,
        Plan::BackchannelLogout,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Plan::Basic => "basic",
            Plan::Config => "config",
            Plan::Dynamic => "dynamic",
            Plan::FormPost => "formpost",
            Plan::RpLogout => "rp-logout",
            Plan::BackchannelLogout => "backchannel-logout",
        }
    }

    pub fn parse(name: &str) -> Option<Vec<Plan>> {
        if name == "all" {
            return Some(Plan::ALL.to_vec());
        }
        Plan::ALL
            .iter()
            .find(|p| p.name() == name)
            .map(|p| vec![*p])
    }

    /// The modules of the plan, in the suite's order.
    pub fn modules(self) -> &'static [&'static str] {
        match self {
            Plan::Basic | Plan::FormPost => modules::BASIC,
            Plan::Config => modules::CONFIG,
            Plan::Dynamic => modules::DYNAMIC,
            Plan::RpLogout => modules::RP_LOGOUT,
            Plan::BackchannelLogout => modules::BACKCHANNEL,
        }
    }
}

/// A client given on the command line.
#[derive(Debug, Clone)]
pub struct StaticClient {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect_uri: String,
    pub post_logout_redirect_uri: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub issuer: String,
    pub plans: Vec<Plan>,
    /// Run only these modules (all of the plan when empty).
    pub modules: Vec<String>,
    /// Extra trusted CA certificates (PEM).
    pub ca_pem: Option<Vec<u8>>,
    /// The simulator's control API (`{issuer}/_sim/v1`): creates clients, settles logins,
    /// reads and moves the OP's clock.
    pub sim_control: Option<String>,
    /// The simulator's control token, when it runs with one (sent as a bearer token).
    pub sim_control_token: Option<String>,
    /// A command that gets the authorization URL as its argument and prints the URL the
    /// browser ended at (the redirect URI with the response).
    pub login_hook: Option<String>,
    pub static_client: Option<StaticClient>,
    /// The `login_hint` of oidcc-login-hint (a person the OP knows).
    pub login_hint: Option<String>,
    /// The person `--sim-control` approves parked logins as.
    pub sim_user: String,
    /// Register every client with RFC 7591 (the suite's `client_registration=dynamic_client`
    /// variant), even when a static client or the control API could provide one.
    pub register_clients: bool,
}

impl Options {
    pub fn new(issuer: &str, plan: Plan) -> Options {
        Options {
            issuer: issuer.to_string(),
            plans: vec![plan],
            modules: Vec::new(),
            ca_pem: None,
            sim_control: None,
            sim_control_token: None,
            login_hook: None,
            static_client: None,
            login_hint: None,
            sim_user: "anna".into(),
            register_clients: false,
        }
    }
}

/// Why a module stopped early.
#[derive(Debug, Clone)]
pub enum Halt {
    Fail(Violation),
    Skip(String),
}

impl From<Violation> for Halt {
    fn from(v: Violation) -> Halt {
        Halt::Fail(v)
    }
}

/// A running module: the shared environment, its findings, and its own browser.
pub struct Ctx<'a> {
    pub env: &'a Env,
    pub plan: Plan,
    pub findings: Findings,
    pub browser: reqwest::Client,
}

impl Ctx<'_> {
    /// A MUST whose failure ends the module.
    pub fn require(&mut self, check: Check) -> Result<(), Halt> {
        check.map_err(Halt::Fail)
    }

    /// A MUST; the module goes on.
    pub fn expect(&mut self, check: Check) -> bool {
        self.findings.fail(check)
    }

    /// A SHOULD or RECOMMENDED.
    pub fn warn(&mut self, check: Check) -> bool {
        self.findings.warn(check)
    }

    /// A fresh browser (no session at the OP).
    pub fn new_browser(&mut self) -> Result<(), Halt> {
        self.browser = self.env.browser()?;
        Ok(())
    }
}

/// Runs the plans' modules and reports each.
pub async fn run(options: Options) -> Report {
    let plans = options.plans.clone();
    let wanted = options.modules.clone();
    let mut report = Report::default();
    let env = match Env::connect(options).await {
        Ok(env) => env,
        Err(halt) => {
            for plan in plans {
                for module in plan.modules() {
                    if wanted.is_empty() || wanted.iter().any(|w| w == module) {
                        report.modules.push(finish(
                            module,
                            Findings::default(),
                            Some(halt.clone()),
                        ));
                    }
                }
            }
            return report;
        }
    };
    for plan in plans {
        for module in plan.modules() {
            if !wanted.is_empty() && !wanted.iter().any(|w| w == module) {
                continue;
            }
            report.modules.push(run_module(&env, plan, module).await);
        }
    }
    report
}

async fn run_module(env: &Env, plan: Plan, module: &'static str) -> ModuleReport {
    let browser = match env.browser() {
        Ok(b) => b,
        Err(halt) => return finish(module, Findings::default(), Some(halt)),
    };
    let mut ctx = Ctx {
        env,
        plan,
        findings: Findings::default(),
        browser,
    };
    let result = modules::run(&mut ctx, module).await;
    finish(module, ctx.findings, result.err())
}

fn finish(module: &'static str, mut findings: Findings, halt: Option<Halt>) -> ModuleReport {
    let mut skipped = None;
    match halt {
        Some(Halt::Fail(v)) => findings.0.push((Severity::Failure, v)),
        Some(Halt::Skip(why)) => skipped = Some(why),
        None => {}
    }
    let outcome = if findings.0.iter().any(|(s, _)| *s == Severity::Failure) {
        Outcome::Failed
    } else if skipped.is_some() {
        Outcome::Skipped
    } else if findings.0.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Warning
    };
    ModuleReport {
        module,
        outcome,
        findings: findings.0,
        skipped,
    }
}
