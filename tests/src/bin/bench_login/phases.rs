//! The measured phases: logins with 1 or more concurrent clients, and the discovery and JWKS
//! request phases (with reqwest or a raw HTTP/1.1 keep-alive client).

use anyhow::{bail, Context, Result};
use reqwest::{Client, StatusCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

use crate::broker::BrokerProcess;
use crate::login::{login, Target};
use crate::procfs::{CpuSample, CpuUse};

/// At most this many failure messages are kept per phase.
const KEEP_ERRORS: usize = 5;

/// How long a login phase waits after its last login before it reads the brokers' CPU: the
/// broker writes its request log and what the RPs did behind the requests, once a second
/// (`broker::requests::FLUSH_EVERY`), and that writing belongs to the phase's logins. Without
/// the wait up to a second of it was left out of the phase (and counted in the next).
const WRITE_BEHIND: Duration = Duration::from_millis(1_300);

pub(crate) struct LoginPhase {
    pub(crate) clients: u64,
    pub(crate) ok: u64,
    pub(crate) failed: u64,
    pub(crate) errors: Vec<String>,
    pub(crate) wall: Duration,
    /// Sorted ascending.
    latencies: Vec<Duration>,
    pub(crate) cpu: CpuUse,
}

impl LoginPhase {
    pub(crate) fn per_second(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }
    pub(crate) fn percentile_ms(&self, p: f64) -> f64 {
        percentile(&self.latencies, p).as_secs_f64() * 1000.0
    }
    /// Broker CPU per login, over all logins of the phase (failed ones included).
    pub(crate) fn cpu_per_login_ms(&self) -> f64 {
        self.cpu.broker.as_secs_f64() * 1000.0 / (self.ok + self.failed).max(1) as f64
    }
    pub(crate) fn driver_cpu_per_login_ms(&self) -> f64 {
        self.cpu.driver.as_secs_f64() * 1000.0 / (self.ok + self.failed).max(1) as f64
    }
}

/// Nearest-rank percentile of sorted samples.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or_default()
}

/// `count` logins spread over `clients` concurrent tasks, each looping until the count is
/// reached.
pub(crate) async fn login_phase(
    target: &Arc<Target>,
    brokers: &[BrokerProcess],
    clients: u64,
    count: u64,
    numbering: &Arc<AtomicU64>,
) -> Result<LoginPhase> {
    let issued = Arc::new(AtomicU64::new(0));
    let before = CpuSample::take(brokers)?;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (target, issued, numbering) = (target.clone(), issued.clone(), numbering.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0u64;
            let mut errors = Vec::new();
            while issued.fetch_add(1, Ordering::Relaxed) < count {
                let n = numbering.fetch_add(1, Ordering::Relaxed);
                match login(&target, n).await {
                    Ok(latency) => latencies.push(latency),
                    Err(e) => {
                        failed += 1;
                        if errors.len() < KEEP_ERRORS {
                            errors.push(format!("{e:#}"));
                        }
                    }
                }
            }
            (latencies, failed, errors)
        }));
    }
    let mut phase = LoginPhase {
        clients,
        ok: 0,
        failed: 0,
        errors: Vec::new(),
        wall: Duration::ZERO,
        latencies: Vec::with_capacity(count as usize),
        cpu: CpuUse::default(),
    };
    for task in tasks {
        let (latencies, failed, errors) = task.await.context("a login task")?;
        phase.latencies.extend(latencies);
        phase.failed += failed;
        for e in errors {
            if phase.errors.len() < KEEP_ERRORS {
                phase.errors.push(e);
            }
        }
    }
    phase.wall = start.elapsed();
    tokio::time::sleep(WRITE_BEHIND).await;
    phase.cpu = CpuUse::since(&before, brokers)?;
    phase.ok = phase.latencies.len() as u64;
    phase.latencies.sort_unstable();
    Ok(phase)
}

pub(crate) struct Hammer {
    pub(crate) ok: u64,
    pub(crate) errors: u64,
    pub(crate) wall: Duration,
    pub(crate) cpu: CpuUse,
}

impl Hammer {
    pub(crate) fn per_second(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64()
    }
    pub(crate) fn broker_cpu_per_request_us(&self) -> f64 {
        self.cpu.broker.as_secs_f64() * 1e6 / (self.ok + self.errors).max(1) as f64
    }
    pub(crate) fn driver_cpu_per_request_us(&self) -> f64 {
        self.cpu.driver.as_secs_f64() * 1e6 / (self.ok + self.errors).max(1) as f64
    }
}

/// How the discovery and JWKS phases send their requests.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub(crate) enum StaticClient {
    /// The shared reqwest client.
    Reqwest,
    /// A minimal HTTP/1.1 keep-alive client on raw TCP: much less CPU per request in the
    /// driver, so more of the two cores is left to the broker.
    Raw,
    /// Both, one after the other.
    Both,
}

/// `concurrency` tasks GETting `url` for `seconds`; counts 200s with their body read.
pub(crate) async fn hammer(
    client: Option<&Client>,
    broker: &BrokerProcess,
    url: &str,
    concurrency: usize,
    seconds: f64,
) -> Result<Hammer> {
    let duration = Duration::from_secs_f64(seconds.max(0.1));
    let raw_target = match client {
        Some(_) => None,
        None => Some(Arc::new(RawTarget::new(url)?)),
    };
    let before = CpuSample::take(std::slice::from_ref(broker))?;
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        match (client, &raw_target) {
            (Some(client), _) => {
                let (client, url) = (client.clone(), url.to_string());
                tasks.push(tokio::spawn(async move {
                    let (mut ok, mut errors) = (0u64, 0u64);
                    while Instant::now() < deadline {
                        match client.get(&url).send().await {
                            Ok(r) if r.status() == StatusCode::OK => match r.bytes().await {
                                Ok(_) => ok += 1,
                                Err(_) => errors += 1,
                            },
                            _ => errors += 1,
                        }
                    }
                    (ok, errors)
                }));
            }
            (None, Some(target)) => {
                let target = target.clone();
                tasks.push(tokio::spawn(async move { target.hammer(deadline).await }));
            }
            (None, None) => bail!("no client for the request phase"),
        }
    }
    let (mut ok, mut errors) = (0, 0);
    for task in tasks {
        let (o, e) = task.await.context("a request task")?;
        ok += o;
        errors += e;
    }
    let wall = start.elapsed();
    Ok(Hammer {
        ok,
        errors,
        wall,
        cpu: CpuUse::since(&before, std::slice::from_ref(broker))?,
    })
}

/// A bare HTTP/1.1 GET over one keep-alive TCP connection per task. Understands just enough
/// of a response for these endpoints: the status line and `Content-Length`.
struct RawTarget {
    addr: String,
    request: Vec<u8>,
}

/// Responses larger than this are refused (discovery and JWKS are a few KiB).
const RAW_MAX_RESPONSE: usize = 1 << 20;

impl RawTarget {
    fn new(url: &str) -> Result<Self> {
        let url = Url::parse(url)?;
        let host = url.host_str().context("a host")?;
        let port = url.port_or_known_default().context("a port")?;
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n",
            url.path()
        );
        Ok(Self {
            addr: format!("{host}:{port}"),
            request: request.into_bytes(),
        })
    }

    /// GETs until `deadline` over one connection (reconnecting after an error).
    async fn hammer(&self, deadline: Instant) -> (u64, u64) {
        let (mut ok, mut errors) = (0u64, 0u64);
        let mut buf = Vec::with_capacity(16 * 1024);
        while Instant::now() < deadline {
            let Ok(mut stream) = tokio::net::TcpStream::connect(&self.addr).await else {
                errors += 1;
                continue;
            };
            let _ = stream.set_nodelay(true);
            while Instant::now() < deadline {
                match self.get(&mut stream, &mut buf).await {
                    Ok(true) => ok += 1,
                    Ok(false) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
        }
        (ok, errors)
    }

    /// One request and its whole response; Ok(true) for a 200.
    async fn get(&self, stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Result<bool> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream.write_all(&self.request).await?;
        buf.clear();
        let mut chunk = [0u8; 8192];
        let mut header_end = None;
        let mut total = None;
        loop {
            if let Some(total) = total {
                if buf.len() >= total {
                    break;
                }
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("the connection closed mid-response");
            }
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            if buf.len() > RAW_MAX_RESPONSE {
                bail!("the response is too large");
            }
            if header_end.is_none() {
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let end = end + 4;
                    header_end = Some(end);
                    let head = std::str::from_utf8(buf.get(..end).unwrap_or_default())?;
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().ok())?
                        })
                        .context("a response without Content-Length")?;
                    total = Some(end + length);
                }
            }
        }
        Ok(buf.starts_with(b"HTTP/1.1 200 "))
    }
}
