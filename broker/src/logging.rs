//! The programs' logs on stderr: text for people (the default), or one JSON object per line
//! for machines (`--log-format json`, `log_format = "json"`). `RUST_LOG` filters either
//! (`info` by default; `broker::request=debug` adds a line per OpenID Provider request).

use serde::{Deserialize, Serialize};

/// How the logs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, the event's fields (`message`,
    /// `login`, ...) at the top level, and the fields of the span it happened in under `span`.
    Json,
}

/// Installs the global subscriber, writing to stderr. Call once, at the start of `main`.
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
