//! What a module found, and the table the runner prints.

use std::fmt::Write as _;

/// One condition that did not hold: the condition's name (the OpenID Foundation suite's name
/// where it has one), the specification section it comes from, and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub condition: &'static str,
    pub spec: &'static str,
    pub message: String,
}

impl Violation {
    pub fn new(condition: &'static str, spec: &'static str, message: impl Into<String>) -> Self {
        Violation {
            condition,
            spec,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.condition, self.spec, self.message)
    }
}

/// A check: `Ok` when the condition holds.
pub type Check = Result<(), Violation>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A SHOULD, a RECOMMENDED, or a value a test identity may lack.
    Warning,
    /// A MUST.
    Failure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Warning,
    Skipped,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Warning => "warning",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModuleReport {
    pub module: &'static str,
    pub outcome: Outcome,
    pub findings: Vec<(Severity, Violation)>,
    /// Why the module was skipped.
    pub skipped: Option<String>,
}

impl ModuleReport {
    /// The first failure, else the first warning.
    pub fn headline(&self) -> Option<&Violation> {
        self.findings
            .iter()
            .find(|(s, _)| *s == Severity::Failure)
            .or_else(|| self.findings.first())
            .map(|(_, v)| v)
    }

    pub fn failures(&self) -> impl Iterator<Item = &Violation> {
        self.findings
            .iter()
            .filter(|(s, _)| *s == Severity::Failure)
            .map(|(_, v)| v)
    }
}

/// All modules of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub modules: Vec<ModuleReport>,
}

impl Report {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.modules.iter().filter(|m| m.outcome == outcome).count()
    }

    pub fn passed(&self) -> usize {
        self.count(Outcome::Passed) + self.count(Outcome::Warning)
    }

    pub fn failed(&self) -> usize {
        self.count(Outcome::Failed)
    }

    pub fn get(&self, module: &str) -> Option<&ModuleReport> {
        self.modules.iter().find(|m| m.module == module)
    }

    /// The table, the details of every finding, and the last line `N passed, N failed`
    /// (passed counts modules that passed with warnings; skipped modules are neither).
    pub fn render(&self) -> String {
        let width = self
            .modules
            .iter()
            .map(|m| m.module.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:width$}  {:7}  {:45}  spec",
            "module", "result", "condition"
        );
        let _ = writeln!(out, "{}", "-".repeat(width + 70));
        for m in &self.modules {
            let (condition, spec) = match (m.headline(), &m.skipped) {
                (Some(v), _) => (v.condition.to_string(), v.spec),
                (None, Some(why)) => (why.clone(), ""),
                (None, None) => (String::new(), ""),
            };
            let _ = writeln!(
                out,
                "{:width$}  {:7}  {:45}  {}",
                m.module,
                m.outcome.as_str(),
                condition,
                spec
            );
        }
        let details: Vec<&ModuleReport> = self
            .modules
            .iter()
            .filter(|m| !m.findings.is_empty())
            .collect();
        if !details.is_empty() {
            let _ = writeln!(out, "\nfindings:");
            for m in details {
                for (severity, v) in &m.findings {
                    let kind = match severity {
                        Severity::Failure => "FAIL",
                        Severity::Warning => "warn",
                    };
                    let _ = writeln!(out, "  {} {kind} {v}", m.module);
                }
            }
        }
        let _ = writeln!(
            out,
            "\n{} with warnings, {} skipped",
            self.count(Outcome::Warning),
            self.count(Outcome::Skipped)
        );
        let _ = write!(out, "{} passed, {} failed", self.passed(), self.failed());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_counts_passed_and_failed() {
        let report = Report {
            modules: vec![
                ModuleReport {
                    module: "oidcc-server",
                    outcome: Outcome::Passed,
                    findings: vec![],
                    skipped: None,
                },
                ModuleReport {
                    module: "oidcc-scope-phone",
                    outcome: Outcome::Warning,
                    findings: vec![(
                        Severity::Warning,
                        Violation::new("VerifyScopesReturnedInUserInfoClaims", "OIDCC-5.4", "x"),
                    )],
                    skipped: None,
                },
                ModuleReport {
                    module: "oidcc-codereuse",
                    outcome: Outcome::Failed,
                    findings: vec![(
                        Severity::Failure,
                        Violation::new(
                            "CheckTokenEndpointReturnedInvalidGrant",
                            "RFC6749-4.1.2",
                            "y",
                        ),
                    )],
                    skipped: None,
                },
            ],
        };
        let text = report.render();
        assert_eq!(text.lines().last(), Some("2 passed, 1 failed"));
        assert!(text.contains("oidcc-codereuse"));
        assert!(text.contains("CheckTokenEndpointReturnedInvalidGrant"));
    }
}
