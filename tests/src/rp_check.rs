//! `rp-check`: runs the RP test kit's faults against a relying party. For each fault it queues
//! the fault for the RP's client through the simulator's control API, runs a login hook (a
//! command that drives the RP's login and exits 0 when the RP says the person is logged in),
//! and judges: a fault a correct RP refuses must end without a login, one it accepts must end
//! logged in. A fault the login never reached (it is still queued afterwards) is `unknown`.

use std::time::Duration;

use serde_json::{json, Value};

/// What to check, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The simulator's control API, e.g. `http://localhost:8080/_sim/v1`.
    pub control: String,
    pub control_token: Option<String>,
    pub client_id: String,
    /// Run as `sh -c HOOK`; exit status 0 means the RP logged the person in.
    pub login_hook: String,
    /// Only these faults (by name); all that a login exercises when empty.
    pub faults: Vec<String>,
    /// A CA (PEM) to trust besides the system's, e.g. the broker's `--tls` CA.
    pub ca_pem: Option<Vec<u8>>,
    /// How long `token-endpoint-slow` holds the token endpoint's answer (past the RP's own
    /// timeout, or the RP waits and logs in: a warning).
    pub slow_seconds: u32,
    /// A hook that runs longer than this is stopped, and the fault counts as failed (the RP
    /// hung).
    pub hook_timeout: Duration,
    /// Run as `sh -c HOOK` for the logout-token faults: logs in to the RP and logs out at the
    /// broker, which then sends the RP a back-channel logout token. The verdict is the RP's
    /// answer to it, as the broker saw it (400: refused). Without one, those faults are not run.
    pub logout_hook: Option<String>,
}

impl Options {
    /// Checks every fault a login exercises, with the default hold and hook time.
    pub fn new(control: String, client_id: String, login_hook: String) -> Options {
        Options {
            control,
            control_token: None,
            client_id,
            login_hook,
            faults: Vec::new(),
            ca_pem: None,
            slow_seconds: 30,
            hook_timeout: Duration::from_secs(120),
            logout_hook: None,
        }
    }
}

/// One fault's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub fault: String,
    pub expect: String,
    /// `refused`, `accepted` or `unknown` (the login never reached the fault's response: an RP
    /// that uses no hybrid response or no refresh, say).
    pub seen: &'static str,
    /// `None` when unknown.
    pub passed: Option<bool>,
    /// Accepted where the spec lets the RP check but does not make it (a MAY): not a failure.
    pub warning: bool,
}

impl Line {
    pub fn failed(&self) -> bool {
        self.passed == Some(false)
    }
}

/// The stages a login exercises (a logout token needs a logout, which a login hook does not
/// do). The faults in the client's own documents count only where the RP reads them.
const LOGIN_STAGES: [&str; 7] = [
    "discovery",
    "id_token",
    "authorization_response",
    "token_endpoint",
    "userinfo",
    "hybrid_id_token",
    "refresh_id_token",
];

struct Control {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Control {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(Duration::from_secs(30));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("the control API at {}: {e}", self.base))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!(
                "the control API answered {status} to {path}: {body}"
            ));
        }
        Ok(body)
    }
}

/// Runs the hook; whether the RP logged the person in, or `None` when the hook ran past
/// `limit` (it is stopped).
async fn logs_in(hook: &str, limit: Duration) -> Result<Option<bool>, String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(hook)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("the login hook did not run: {e}"))?;
    match tokio::time::timeout(limit, child.wait()).await {
        Ok(status) => Ok(Some(
            status
                .map_err(|e| format!("the login hook did not run: {e}"))?
                .success(),
        )),
        Err(_) => {
            let _ = child.kill().await;
            Ok(None)
        }
    }
}

/// The problem the client's report names in the newest use of `fault`, if any.
fn problem(report: &Value, fault: &str) -> Option<String> {
    report["faults"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["fault"] == fault))
        .and_then(|verdict| verdict["problem"].as_str())
        .map(str::to_owned)
}

/// How many times the report saw the RP fetch its own JWKS (the kit's documents).
fn jwks_fetches(report: &Value) -> usize {
    report["logins"].as_array().map_or(0, |logins| {
        logins
            .iter()
            .map(|l| l["jwks_fetches"].as_array().map_or(0, Vec::len))
            .sum()
    })
}

/// Checks the RP against each fault. Fails only when the check cannot run (the control API or
/// the hook): a first login without a fault must succeed.
pub async fn run(options: &Options) -> Result<Vec<Line>, String> {
    let mut http = reqwest::Client::builder();
    if let Some(pem) = &options.ca_pem {
        let certificate =
            reqwest::Certificate::from_pem(pem).map_err(|e| format!("--ca-file: {e}"))?;
        http = http.add_root_certificate(certificate);
    }
    let control = Control {
        http: http.build().map_err(|e| e.to_string())?,
        base: options.control.trim_end_matches('/').to_string(),
        token: options.control_token.clone(),
    };
    let catalogue = control.json(reqwest::Method::GET, "/faults", None).await?;
    let faults: Vec<Value> = catalogue["faults"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| {
            let name = f["name"].as_str().unwrap_or_default();
            if options.faults.is_empty() {
                let stage = f["stage"].as_str().unwrap_or_default();
                LOGIN_STAGES.contains(&stage)
                    || (stage == "logout_token" && options.logout_hook.is_some())
            } else {
                options.faults.iter().any(|n| n == name)
            }
        })
        .collect();
    if faults.is_empty() {
        return Err("no such fault; GET /_sim/v1/faults lists them".into());
    }
    let clear = format!("/faults/queued?client_id={}", options.client_id);
    control.json(reqwest::Method::DELETE, &clear, None).await?;
    if logs_in(&options.login_hook, options.hook_timeout).await? != Some(true) {
        return Err(
            "the login hook does not log in without a fault: fix the hook (or the RP) first".into(),
        );
    }
    let mut lines = Vec::new();
    for fault in faults {
        let name = fault["name"].as_str().unwrap_or_default().to_string();
        let expect = fault["expect"].as_str().unwrap_or("refuse").to_string();
        let documents = fault["client_documents"] == true;
        let mut queue = json!({"fault": name, "client_id": options.client_id});
        if name == "token-endpoint-slow" {
            queue["delay_seconds"] = json!(options.slow_seconds);
        }
        let report_path = format!("/clients/{}/report", options.client_id);
        let fetched_before = match documents {
            true => jwks_fetches(
                &control
                    .json(reqwest::Method::GET, &report_path, None)
                    .await?,
            ),
            false => 0,
        };
        control
            .json(reqwest::Method::POST, "/faults", Some(queue))
            .await?;
        if fault["stage"] == "logout_token" {
            lines.push(logout_line(&control, options, &clear, &report_path, name, expect).await?);
            continue;
        }
        let Some(logged_in) = logs_in(&options.login_hook, options.hook_timeout).await? else {
            control.json(reqwest::Method::DELETE, &clear, None).await?;
            lines.push(Line {
                fault: name,
                expect,
                seen: "hung",
                passed: Some(false),
                warning: false,
            });
            continue;
        };
        let queued = control
            .json(reqwest::Method::GET, "/faults/queued", None)
            .await?;
        let unused = queued.as_array().is_some_and(|q| {
            q.iter()
                .any(|f| f["client_id"] == options.client_id.as_str())
        });
        control.json(reqwest::Method::DELETE, &clear, None).await?;
        let report = control
            .json(reqwest::Method::GET, &report_path, None)
            .await?;
        let problem = problem(&report, &name);
        // A fault in the client's own JWKS shows only to an RP that fetches it; the discovery
        // document's fault stays queued when the RP does not read it.
        let served = name == "discovery-issuer-mismatch"
            || !documents
            || jwks_fetches(&report) > fetched_before;
        let (seen, passed, warning) = match (unused || !served, logged_in, expect.as_str()) {
            (true, _, _) => ("unknown", None, false),
            (false, true, _) if problem.is_some() => ("accepted", Some(false), false),
            (false, _, "either") => (
                if logged_in { "accepted" } else { "refused" },
                Some(true),
                false,
            ),
            (false, true, "accept") => ("accepted", Some(true), false),
            (false, true, "should_refuse") => ("accepted", Some(true), true),
            (false, false, "refuse" | "should_refuse") => ("refused", Some(true), false),
            (false, true, _) => ("accepted", Some(false), false),
            (false, false, _) => ("refused", Some(false), false),
        };
        lines.push(Line {
            fault: name,
            expect,
            seen,
            passed,
            warning,
        });
    }
    Ok(lines)
}

/// A logout-token fault: the logout hook runs, and the RP's answer to the token decides.
async fn logout_line(
    control: &Control,
    options: &Options,
    clear: &str,
    report_path: &str,
    fault: String,
    expect: String,
) -> Result<Line, String> {
    let hook = options
        .logout_hook
        .as_deref()
        .ok_or("the logout-token faults need --logout-hook")?;
    let finished = logs_in(hook, options.hook_timeout).await?;
    let queued = control
        .json(reqwest::Method::GET, "/faults/queued", None)
        .await?;
    let unused = queued.as_array().is_some_and(|q| {
        q.iter()
            .any(|f| f["client_id"] == options.client_id.as_str())
    });
    control.json(reqwest::Method::DELETE, clear, None).await?;
    let report = control
        .json(reqwest::Method::GET, report_path, None)
        .await?;
    let verdict = report["faults"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["fault"] == fault.as_str()))
        .and_then(|v| v["verdict"].as_str())
        .unwrap_or("unknown");
    let (seen, passed) = match (finished, unused, verdict) {
        (None, _, _) => ("hung", Some(false)),
        (_, true, _) | (_, _, "unknown") => ("unknown", None),
        (_, false, "refused") => ("refused", Some(true)),
        _ => ("accepted", Some(false)),
    };
    Ok(Line {
        fault,
        expect,
        seen,
        passed,
        warning: false,
    })
}

/// The table `rp-check` prints, ending with `N passed, N failed`.
pub fn table(lines: &[Line]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(&format!(
            "{:<44} {:<13} {:<9} {}\n",
            line.fault,
            line.expect,
            line.seen,
            match (line.passed, line.warning) {
                (Some(true), true) => "warning (the spec lets it accept)",
                (Some(true), false) => "pass",
                (Some(false), _) => "FAIL",
                (None, _) => "not reached",
            }
        ));
    }
    let count = |p: Option<bool>| lines.iter().filter(|l| l.passed == p).count();
    let warnings = lines.iter().filter(|l| l.warning).count();
    out.push_str(&format!(
        "{} passed, {} failed, {warnings} warnings, {} not reached by the login\n",
        count(Some(true)) - warnings,
        count(Some(false)),
        count(None)
    ));
    out
}
